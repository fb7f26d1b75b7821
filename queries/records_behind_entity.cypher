// The source records that assert a person, with agency, date and grading.
// params: person
MATCH (p:Person {id: $person})
UNWIND p.sources AS record_id
MATCH (r:Record {id: record_id})
RETURN r.id AS record, r.source AS source, r.file AS file, r.row AS row, r.agency AS agency,
       r.record_date AS date, r.reliability AS reliability, r.validity AS validity, r.handling AS handling
ORDER BY date, record
