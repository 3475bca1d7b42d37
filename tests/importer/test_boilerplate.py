"""Host footers in notes: found for the plan, removed only on request, nothing else touched."""

from __future__ import annotations

import pytest

from podman.importer.boilerplate import find_boilerplate, strip_boilerplate

ACAST = ("<p>An episode.</p><br /><hr><p style='color:grey;'> Hosted on Acast. See <a "
         "href='https://acast.com/privacy'>acast.com/privacy</a> for more information.</p>")
ART19 = ('<p>Story.</p><p><br></p><p>See Privacy Policy at <a href="https://art19.com/privacy">'
         'https://art19.com/privacy</a> and California Privacy Notice at <a href="https://art19'
         '.com/privacy#do-not-sell-my-info">https://art19.com/privacy#do-not-sell-my-info</a>.</p>')
PLAIN = ("Story. Learn more about your ad choices. Visit megaphone.fm/adchoices\n\n"
         "--- Send in a voice message: https://anchor.fm/show/message")


@pytest.mark.parametrize("notes, kept, hosts", [
    (ACAST, "<p>An episode.</p>", ["Acast"]),
    (ART19, "<p>Story.</p><p><br></p>", ["ART19"]),
    (PLAIN, "Story.", ["Anchor", "Megaphone"]),
    ("<p>Hosted on Acast is what we are not.</p>", "<p>Hosted on Acast is what we are not.</p>",
     []),
])
def test_footers(notes: str, kept: str, hosts: list[str]) -> None:
    assert strip_boilerplate(notes) == (kept, hosts)
    assert find_boilerplate(notes) == hosts
