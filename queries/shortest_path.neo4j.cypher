// The shortest chain of asserted links (seizures, phones, accounts, companies, conveyances) between two people.
// params: a, b
MATCH p = shortestPath((a:Person {id: $a})-[:INVOLVED_IN|USES|WORKS_FOR|DIRECTS|CONVEYED_BY*..8]-(b:Person {id: $b}))
RETURN [n IN nodes(p) | n.id] AS path, [n IN nodes(p) | n.name] AS names, length(p) AS hops
