// Places that seized consignments passed through in a period, by number of seizures.
// params: date_from, date_to
MATCH (s:Seizure)-[:TRANSIT]->(l:Location)
WHERE s.date >= $date_from AND s.date <= $date_to
RETURN l.id AS place, l.name AS name, l.kind AS kind, l.country AS country, count(DISTINCT s) AS seizures
ORDER BY seizures DESC, place
