-- User agents no rule names, with at least unknown_agent_min listener requests.
SELECT c.ua, COUNT(*) AS requests
FROM classified AS c
LEFT JOIN agents AS a ON a.ua = c.ua
WHERE c.stage = 'ok' AND COALESCE(a.app, '') = ''
  AND c.ts >= (SELECT MAX(since) FROM settings) AND c.ts < (SELECT MAX(until) FROM settings)
GROUP BY c.ua
HAVING COUNT(*) >= (SELECT MAX(unknown_agent_min) FROM settings)
ORDER BY requests DESC, c.ua;
