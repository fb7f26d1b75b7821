// Pairs of people who use the same phone number.
// params:
MATCH (a:Person)-[:USES]->(ph:Phone)
MATCH (ph)<-[:USES]-(b:Person)
WHERE a.id < b.id
RETURN ph.id AS phone, a.id AS person_a, a.name AS name_a, b.id AS person_b, b.name AS name_b
ORDER BY phone, person_a, person_b
