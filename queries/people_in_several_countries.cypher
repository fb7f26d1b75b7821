// People involved in seizures made in at least a given number of countries.
// params: min_countries
MATCH (p:Person)-[:INVOLVED_IN]->(s:Seizure)
WITH p, collect(DISTINCT s.country) AS countries, count(DISTINCT s) AS seizures
WHERE size(countries) >= $min_countries
RETURN p.id AS id, p.name AS name, p.nationality AS nationality, countries, seizures
ORDER BY size(countries) DESC, id
