-- IAB 5.5.2 step 1: every request gets one stage; only 'ok' requests can make a download.
-- Inputs: requests (the Parquet store), paths (path -> guid; unwanted = another show's),
-- agents (ua -> app, reason),
-- settings (volume_limit).
CREATE OR REPLACE TABLE classified AS
WITH joined AS (
    SELECT r.ts, CAST(r.ts AS DATE) AS day, r.client, r.country, r.dc, r.allow, r.method,
           r.status, r.path, r.bytes, r.range_start, r.range_end, r.ua, p.guid,
           COALESCE(a.reason, '') AS ua_reason
    FROM requests AS r
    LEFT JOIN paths AS p ON p.path = r.path
    LEFT JOIN agents AS a ON a.ua = r.ua
    WHERE COALESCE(p.wanted, TRUE)
), staged AS (
    SELECT ts, day, client, country, allow, ua, guid, bytes, path,
           CASE
               WHEN method = 'HEAD' THEN 'head'
               WHEN method <> 'GET' THEN 'other_method'
               WHEN status = 304 THEN 'not_modified'
               WHEN status NOT IN (200, 206) THEN 'not_2xx'
               WHEN (range_start = 0 AND range_end = 1) OR (status = 206 AND bytes <= 2)
                   THEN 'probe'
               WHEN guid IS NULL THEN 'unknown_object'
               WHEN ua_reason <> '' THEN ua_reason
               WHEN dc THEN 'datacenter'
               ELSE 'candidate'
           END AS stage
    FROM joined
), heavy AS (
    SELECT client, day
    FROM staged
    WHERE stage = 'candidate' AND NOT allow
    GROUP BY client, day
    HAVING COUNT(DISTINCT guid) > (SELECT MAX(volume_limit) FROM settings)
)
SELECT s.ts, s.day, s.client, s.country, s.ua, s.guid, s.bytes,
       CASE WHEN s.stage = 'unknown_object' THEN s.path END AS path,
       CASE
           WHEN s.stage <> 'candidate' THEN s.stage
           WHEN h.client IS NOT NULL THEN 'volume'
           ELSE 'ok'
       END AS stage
FROM staged AS s
LEFT JOIN heavy AS h ON h.client = s.client AND h.day = s.day;
