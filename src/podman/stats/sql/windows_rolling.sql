-- IAB 5.5.1 "first touch" rolling window: a window opens at a source's first request for an
-- episode and lasts 24 hours; the first request after it opens the next window.
CREATE OR REPLACE TABLE windows AS
WITH RECURSIVE ordered AS (
    SELECT client, ua, guid, ts, bytes, country,
           ROW_NUMBER() OVER (PARTITION BY client, ua, guid ORDER BY ts) AS rn
    FROM classified
    WHERE stage = 'ok'
), walk AS (
    SELECT client, ua, guid, rn, ts AS window_start
    FROM ordered
    WHERE rn = 1
    UNION ALL
    SELECT o.client, o.ua, o.guid, o.rn,
           CASE WHEN o.ts >= w.window_start + INTERVAL 24 HOUR THEN o.ts
                ELSE w.window_start END AS window_start
    FROM walk AS w
    JOIN ordered AS o
        ON o.client = w.client AND o.ua = w.ua AND o.guid = w.guid AND o.rn = w.rn + 1
)
SELECT o.client, o.ua, o.guid, CAST(w.window_start AS DATE) AS window_day,
       w.window_start AS first_ts, SUM(o.bytes) AS bytes, MIN(o.country) AS country
FROM ordered AS o
JOIN walk AS w ON w.client = o.client AND w.ua = o.ua AND w.guid = o.guid AND w.rn = o.rn
GROUP BY o.client, o.ua, o.guid, w.window_start;
