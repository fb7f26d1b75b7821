// One person's seizures, phones and organisations.
// params: person
MATCH (p:Person {id: $person})
OPTIONAL MATCH (p)-[:INVOLVED_IN]->(s:Seizure)
WITH p, collect(DISTINCT s.id) AS seizures
OPTIONAL MATCH (p)-[:USES]->(ph:Phone)
WITH p, seizures, collect(DISTINCT ph.id) AS phones
OPTIONAL MATCH (p)-[:WORKS_FOR|DIRECTS]->(o:Organization)
RETURN p.id AS id, p.name AS name, p.nationality AS nationality, seizures, phones,
       collect(DISTINCT o.name) AS organizations
