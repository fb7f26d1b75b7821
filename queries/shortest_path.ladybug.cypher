// The shortest chain of asserted links (seizures, phones, accounts, companies, conveyances) between two people.
// params: a, b
MATCH p = (a:Person {id: $a})-[:INVOLVED_IN|USES|WORKS_FOR|DIRECTS|CONVEYED_BY* SHORTEST 1..8]-(b:Person {id: $b})
RETURN properties(nodes(p), 'id') AS path, properties(nodes(p), 'name') AS names, length(p) AS hops
