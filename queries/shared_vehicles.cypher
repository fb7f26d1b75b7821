// Pairs of people caught in seizures carried by the same vehicle, vessel or flight.
// params:
MATCH (a:Person)-[:INVOLVED_IN]->(s1:Seizure)-[:CONVEYED_BY]->(v)
MATCH (v)<-[:CONVEYED_BY]-(s2:Seizure)<-[:INVOLVED_IN]-(b:Person)
WHERE a.id < b.id
RETURN v.id AS conveyance, v.name AS conveyance_name, a.id AS person_a, a.name AS name_a, b.id AS person_b,
       b.name AS name_b, count(DISTINCT s1) AS seizures_a, count(DISTINCT s2) AS seizures_b
ORDER BY conveyance, person_a, person_b
