-- Requests per stage, in the report range; windows below the threshold and downloads.
SELECT stage, COUNT(*) AS n
FROM classified
WHERE ts >= (SELECT MAX(since) FROM settings) AND ts < (SELECT MAX(until) FROM settings)
GROUP BY stage
UNION ALL
SELECT CASE WHEN counted THEN 'downloads' ELSE 'below_threshold' END AS stage, COUNT(*) AS n
FROM downloads
GROUP BY CASE WHEN counted THEN 'downloads' ELSE 'below_threshold' END;
