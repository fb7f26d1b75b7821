// Leads stored by link prediction (never facts), best first.
// params: min_score
MATCH (a:Person)-[e:SUSPECTED_LINK]->(b:Person)
WHERE e.score >= $min_score
RETURN a.id AS source, a.name AS source_name, b.id AS target, b.name AS target_name, e.method AS method,
       e.score AS score, e.created AS created
ORDER BY score DESC, source, target
