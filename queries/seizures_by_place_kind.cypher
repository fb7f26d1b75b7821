// Seizures at places of one kind (border_crossing, port, airport, city …) in a period, by place.
// params: kind, date_from, date_to
MATCH (s:Seizure)-[:AT]->(l:Location)
WHERE l.kind = $kind AND s.date >= $date_from AND s.date <= $date_to
RETURN l.id AS place, l.name AS name, l.country AS country, count(DISTINCT s) AS seizures,
       coalesce(sum(s.weight_kg), 0.0) AS weight_kg, coalesce(sum(s.pieces), 0.0) AS pieces,
       coalesce(min(s.date), null) AS first, coalesce(max(s.date), null) AS last
ORDER BY seizures DESC, place
