-- GET 2xx requests for objects that are no episode of the catalog, most requested first.
SELECT path, COUNT(*) AS requests
FROM classified
WHERE stage = 'unknown_object'
  AND ts >= (SELECT MAX(since) FROM settings) AND ts < (SELECT MAX(until) FROM settings)
GROUP BY path
ORDER BY requests DESC, path
LIMIT 20;
