// What moves on which country-to-country route: seizures and seized weight and count per commodity.
// params:
MATCH (c:Commodity)<-[e:SEIZED]-(s:Seizure)-[:ORIGIN]->(o:Location), (s)-[:DESTINATION]->(d:Location)
RETURN c.name AS commodity, o.country AS origin_country, d.country AS destination_country,
       count(DISTINCT s) AS seizures, coalesce(sum(e.weight_kg), 0.0) AS weight_kg,
       coalesce(sum(e.pieces), 0.0) AS pieces
ORDER BY seizures DESC, commodity, origin_country, destination_country
