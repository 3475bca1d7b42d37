-- Downloads by country (resolved from the IP at ingest, before hashing).
SELECT COALESCE(country, '') AS country, COUNT(*) AS downloads
FROM downloads
WHERE counted
GROUP BY COALESCE(country, '')
ORDER BY downloads DESC, country;
