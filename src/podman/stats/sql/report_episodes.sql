-- Downloads per episode, all time and within 1/3/7/30/90 days of publication.
SELECT e.guid,
       SUM(CASE WHEN d.counted THEN 1 ELSE 0 END) AS downloads,
       SUM(CASE WHEN d.counted AND d.first_ts < e.published + INTERVAL 1 DAY THEN 1 ELSE 0 END)
           AS d1,
       SUM(CASE WHEN d.counted AND d.first_ts < e.published + INTERVAL 3 DAY THEN 1 ELSE 0 END)
           AS d3,
       SUM(CASE WHEN d.counted AND d.first_ts < e.published + INTERVAL 7 DAY THEN 1 ELSE 0 END)
           AS d7,
       SUM(CASE WHEN d.counted AND d.first_ts < e.published + INTERVAL 30 DAY THEN 1 ELSE 0 END)
           AS d30,
       SUM(CASE WHEN d.counted AND d.first_ts < e.published + INTERVAL 90 DAY THEN 1 ELSE 0 END)
           AS d90
FROM episodes AS e
LEFT JOIN downloads AS d ON d.guid = e.guid
GROUP BY e.guid;
