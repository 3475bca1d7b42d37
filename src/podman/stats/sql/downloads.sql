-- IAB 5.5.3 step 2: a window is a download when its bytes reach the episode's threshold
-- (offset + one minute of audio, or the whole file under a minute). Rows in the report range.
CREATE OR REPLACE TABLE downloads AS
SELECT w.client, w.ua, w.guid, w.window_day, w.first_ts, w.bytes, w.country,
       e.threshold, w.bytes >= e.threshold AS counted
FROM windows AS w
JOIN episodes AS e ON e.guid = w.guid
WHERE w.first_ts >= (SELECT MAX(since) FROM settings)
  AND w.first_ts < (SELECT MAX(until) FROM settings);
