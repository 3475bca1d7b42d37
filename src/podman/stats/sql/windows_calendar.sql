-- IAB 5.5.1 calendar (fixed) window and 5.5.4: requests from one IP+UA for one episode on one
-- UTC day are summed into one candidate download (play-pause-play counts once).
CREATE OR REPLACE TABLE windows AS
SELECT client, ua, guid, day AS window_day, MIN(ts) AS first_ts, SUM(bytes) AS bytes,
       MIN(country) AS country
FROM classified
WHERE stage = 'ok'
GROUP BY client, ua, guid, day;
