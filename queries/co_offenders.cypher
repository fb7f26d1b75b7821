// People caught in the same seizures as a person, with how many seizures they share and the last one's date.
// params: person
MATCH (p:Person {id: $person})-[:INVOLVED_IN]->(s:Seizure)
MATCH (s)<-[:INVOLVED_IN]-(other:Person)
WHERE other.id <> p.id
RETURN other.id AS id, other.name AS name, count(DISTINCT s) AS shared_seizures,
       coalesce(max(s.date), null) AS last_seizure
ORDER BY shared_seizures DESC, id
