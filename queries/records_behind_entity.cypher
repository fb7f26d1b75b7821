// The source records that assert a person, with agency, date and grading.
// params: person
MATCH (r:Record)-[:ASSERTS]->(p:Person {id: $person})
RETURN r.id AS record, r.source AS source, r.file AS file, r.row AS row, r.agency AS agency,
       r.record_date AS date, r.reliability AS reliability, r.validity AS validity, r.handling AS handling
ORDER BY date, record
