// Seizures of consignments from one country to another in a period, with what and how much.
// params: origin_country, destination_country, date_from, date_to
MATCH (o:Location)<-[:ORIGIN]-(s:Seizure)-[:DESTINATION]->(d:Location)
WHERE o.country = $origin_country AND d.country = $destination_country
  AND s.date >= $date_from AND s.date <= $date_to
RETURN s.id AS seizure, s.date AS date, o.name AS origin, d.name AS destination, s.weight_kg AS weight_kg,
       s.pieces AS pieces, s.agency AS agency
ORDER BY date, seizure
