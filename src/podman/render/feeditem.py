"""One feed <item> printed by plain Python: the bytes `feed.xml.j2` prints, several times faster.

Used whenever the workspace does not override feed.xml.j2; tests/render/test_feeditem.py
proves the two print identical bytes (golden feeds and generated hostile episodes), so a change
to the template's item block must be made here too.
"""

from __future__ import annotations

from typing import Any

from podman.core.text import clean_text


def escape(value: Any) -> str:
    """Exactly what `{{ value }}` prints in our templates: a str loses what XML cannot carry
    (templating's finalize), then jinja2's autoescape (markupsafe); Markup as is."""
    if type(value) is str:
        if not value.isprintable():  # printable text has no control character: skip the scan
            value = clean_text(value)
    elif hasattr(value, "__html__"):
        return value.__html__()
    else:
        value = str(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if '"' in value:
        value = value.replace('"', "&#34;")
    if "'" in value:
        value = value.replace("'", "&#39;")
    return value


def _attrs(row: dict[str, Any], names: tuple[tuple[str, str], ...]) -> str:
    return "".join(f' {attr}="{escape(row[key])}"' for key, attr in names if row[key])


_PERSON = (("role", "role"), ("group", "group"), ("img", "img"), ("href", "href"))
_CHAPTER = (("href", "href"), ("image", "image"))
_ALT = (("bitrate", "bitrate"), ("codec", "title"))
_LOCATION = (("geo", "geo"), ("osm", "osm"))


def item_xml(i: dict[str, Any]) -> str:
    """The <item> element of one episode from its `item_context`, newline-terminated."""
    e = escape
    parts = [
        f'<item>\n<title>{e(i["title"])}</title>\n'
        f'<guid isPermaLink="{e(i["guid_permalink"])}">{e(i["guid"])}</guid>\n'
        f'<pubDate>{e(i["pub_date"])}</pubDate>\n'
    ]
    if i["link"]:
        parts.append(f'<link>{e(i["link"])}</link>\n')
    parts.append(
        f'<description>{e(i["description"])}</description>\n'
        f'<content:encoded>{e(i["content"])}</content:encoded>\n'
        f'<enclosure url="{e(i["url"])}" length="{e(i["length"])}" type="{e(i["type"])}"/>\n'
        f'<itunes:duration>{e(i["duration"])}</itunes:duration>\n'
        f'<itunes:episodeType>{e(i["episode_type"])}</itunes:episodeType>\n'
    )
    if i["season"]:
        season = e(i["season"])
        parts.append(f"<itunes:season>{season}</itunes:season>\n"
                     f"<podcast:season>{season}</podcast:season>\n")
    if i["episode"]:
        number = e(i["episode"])
        parts.append(f"<itunes:episode>{number}</itunes:episode>\n"
                     f"<podcast:episode>{number}</podcast:episode>\n")
    if i["explicit"]:
        parts.append(f'<itunes:explicit>{e(i["explicit"])}</itunes:explicit>\n')
    if i["image"]:
        parts.append(f'<itunes:image href="{e(i["image"])}"/>\n')
    if i["block"]:
        parts.append("<itunes:block>Yes</itunes:block>\n")
    if i["chapters_url"]:
        parts.append(f'<podcast:chapters url="{e(i["chapters_url"])}" '
                     f'type="{e(i["chapters_type"])}"/>\n')
    if i["psc"]:
        parts.append('<psc:chapters version="1.2">\n')
        parts.extend(f'<psc:chapter start="{e(ch["start"])}" title="{e(ch["title"])}"'
                     f'{_attrs(ch, _CHAPTER)}/>\n' for ch in i["psc"])
        parts.append("</psc:chapters>\n")
    parts.extend(f'<podcast:transcript url="{e(t["url"])}" type="{e(t["type"])}"/>\n'
                 for t in i["transcripts"])
    parts.extend(f'<podcast:soundbite startTime="{e(s["start"])}" '
                 f'duration="{e(s["duration"])}">{e(s["title"])}</podcast:soundbite>\n'
                 for s in i["soundbites"])
    parts.extend(f'<podcast:funding url="{e(f["url"])}">{e(f["text"])}</podcast:funding>\n'
                 for f in i["funding"])
    lic, loc = i["license"], i["location"]
    if lic["name"]:
        url = f' url="{e(lic["url"])}"' if lic["url"] else ""
        parts.append(f'<podcast:license{url}>{e(lic["name"])}</podcast:license>\n')
    if loc["name"]:
        parts.append(f'<podcast:location{_attrs(loc, _LOCATION)}>{e(loc["name"])}'
                     "</podcast:location>\n")
    parts.extend(f'<podcast:person{_attrs(p, _PERSON)}>{e(p["name"])}</podcast:person>\n'
                 for p in i["persons"])
    parts.extend(f'<podcast:alternateEnclosure type="{e(a["type"])}" length="{e(a["length"])}"'
                 f'{_attrs(a, _ALT)}>\n<podcast:source uri="{e(a["url"])}"/>\n'
                 "</podcast:alternateEnclosure>\n" for a in i["alternates"])
    parts.append("</item>\n")
    return "".join(parts)
