// People first seen (their earliest seizure) within a period.
// params: date_from, date_to
MATCH (p:Person)-[:INVOLVED_IN]->(s:Seizure)
WITH p, coalesce(min(s.date), null) AS first_seen, count(DISTINCT s) AS seizures
WHERE first_seen >= $date_from AND first_seen <= $date_to
RETURN p.id AS id, p.name AS name, p.nationality AS nationality, first_seen, seizures
ORDER BY first_seen, id
