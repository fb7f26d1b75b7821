// Organisations named as consignee in at least a given number of seizures.
// params: min_seizures
MATCH (o:Organization)-[e:INVOLVED_IN]->(s:Seizure)
WHERE e.role = 'consignee'
WITH o, count(DISTINCT s) AS seizures, coalesce(min(s.date), null) AS first,
     coalesce(max(s.date), null) AS last
WHERE seizures >= $min_seizures
RETURN o.id AS organization, o.name AS name, seizures, first, last
ORDER BY seizures DESC, organization
