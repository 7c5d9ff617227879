"""The tracker script: small, on every page, and told what it needs to describe the page."""

import gzip
import re
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parent.parent / "analytics" / "static" / "analytics" / "tracker.js"


def test_tracker_is_at_most_1_5_kb_gzipped():
    size = len(gzip.compress(TRACKER.read_bytes(), compresslevel=9))
    assert size <= 1536, size


def test_tracker_stores_nothing_in_the_browser():
    source = re.sub(r"/\*.*?\*/", "", TRACKER.read_text(), flags=re.S)  # the comments may say "no cookie"
    for forbidden in ("cookie", "localStorage", "sessionStorage", "indexedDB"):
        assert forbidden not in source


def tracker_tag(html: str) -> str:
    tags = re.findall(r"<script src=\"[^\"]*tracker\.js\"[^>]*>", html)
    assert len(tags) == 1, tags
    return tags[0]


@pytest.mark.django_db
def test_route_page_describes_itself_to_the_tracker(client):
    from django.utils import translation

    from routes.models import RoutePage

    route = RoutePage.objects.live().first()
    with translation.override("th"):
        url = route.get_url()
    html = client.get(url).content.decode()
    tag = tracker_tag(html)
    assert f'data-page="{route.pk}"' in tag
    assert 'data-type="routes.routepage"' in tag
    assert 'data-lang="th"' in tag
    assert 'data-api="/api/events"' in tag


@pytest.mark.django_db
def test_not_found_and_search_pages_tell_the_tracker(client):
    tag = tracker_tag(client.get("/en/no-such-page/").content.decode())
    assert 'data-status="404"' in tag
    tag = tracker_tag(client.get("/en/search/?q=castle").content.decode())
    term = re.search(r'data-search-term="([^"]*)"', tag).group(1)
    results = int(re.search(r'data-search-results="(\d+)"', tag).group(1))
    assert term == "castle" and results > 0
