"""Subscribe links that work without JavaScript: https pages of the apps, never custom schemes."""

from __future__ import annotations

import urllib.parse

# (app, URL template); {apple} needs the show's Apple Podcasts id, {feed} is the encoded feed URL
SUBSCRIBE_LINKS: tuple[tuple[str, str], ...] = (
    ("Apple Podcasts", "https://podcasts.apple.com/podcast/id{apple}"),
    ("Overcast", "https://overcast.fm/itunes{apple}"),
    ("Pocket Casts", "https://pca.st/itunes/{apple}"),
    ("Castro", "https://castro.fm/itunes/{apple}"),
    ("AntennaPod", "https://antennapod.org/deeplink/subscribe?url={feed}"),
    ("Podcast Addict", "https://podcastaddict.com/feed/{feed}"),
    ("Player FM", "https://player.fm/subscribe?id={feed}"),
)


def subscribe_links(feed_url: str, apple_id: str = "") -> list[tuple[str, str]]:
    """(app, https URL) for each app the show can be subscribed in; the Apple-id based ones
    only when show.toml has `apple_id`."""
    feed = urllib.parse.quote(feed_url, safe="")
    apple = apple_id.strip() if apple_id.strip().isdigit() else ""
    return [(app, url.format(apple=apple, feed=feed)) for app, url in SUBSCRIBE_LINKS
            if apple or "{apple}" not in url]
