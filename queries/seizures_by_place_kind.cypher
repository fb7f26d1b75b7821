// Seizures at places of one kind (border_crossing, port, airport, city …) in a period, by place.
// params: kind, date_from, date_to
MATCH (s:Seizure)-[:AT]->(l:Location)
WHERE l.kind = $kind AND s.date >= $date_from AND s.date <= $date_to
RETURN l.id AS place, l.name AS name, l.country AS country, count(DISTINCT s) AS seizures,
       sum(s.weight_kg) AS weight_kg, sum(s.pieces) AS pieces, min(s.date) AS first, max(s.date) AS last
ORDER BY seizures DESC, place
