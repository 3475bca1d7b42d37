-- IAB 6.2 podcast consumers: unique IP+UA with at least one download, per calendar month.
SELECT DATE_TRUNC('month', first_ts) AS month, COUNT(DISTINCT client || '|' || ua) AS listeners
FROM downloads
WHERE counted
GROUP BY DATE_TRUNC('month', first_ts)
ORDER BY month;
