// Seizures made in a country (ISO code) in a period.
// params: country, date_from, date_to
MATCH (s:Seizure)
WHERE s.country = $country AND s.date >= $date_from AND s.date <= $date_to
RETURN s.id AS seizure, s.date AS date, s.agency AS agency, s.transport_mode AS transport_mode,
       s.weight_kg AS weight_kg, s.pieces AS pieces
ORDER BY date, seizure
