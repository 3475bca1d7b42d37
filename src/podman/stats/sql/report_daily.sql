-- Downloads per UTC day (the day the counting window opened).
SELECT window_day, COUNT(*) AS downloads
FROM downloads
WHERE counted
GROUP BY window_day
ORDER BY window_day;
