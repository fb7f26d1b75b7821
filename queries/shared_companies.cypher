// Pairs of people who work for or direct the same organisation.
// params:
MATCH (a:Person)-[:WORKS_FOR|DIRECTS]->(o:Organization)
MATCH (o)<-[:WORKS_FOR|DIRECTS]-(b:Person)
WHERE a.id < b.id
RETURN o.id AS organization, o.name AS organization_name, a.id AS person_a, a.name AS name_a, b.id AS person_b,
       b.name AS name_b
ORDER BY organization, person_a, person_b
