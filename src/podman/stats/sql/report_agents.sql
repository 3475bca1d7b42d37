-- Downloads by app, device and platform of the user agent.
SELECT COALESCE(a.app, '') AS app, COALESCE(a.device, '') AS device,
       COALESCE(a.platform, '') AS platform, COUNT(*) AS downloads
FROM downloads AS d
LEFT JOIN agents AS a ON a.ua = d.ua
WHERE d.counted
GROUP BY COALESCE(a.app, ''), COALESCE(a.device, ''), COALESCE(a.platform, '')
ORDER BY downloads DESC, app;
