import json
import re
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from content.models import SiteAlert, StandardPage
from routes.models import RoutePage, RouteStop, SpotPage
from tests.factories import all_languages, per_language, publish
from translations.languages import language_tag

pytestmark = pytest.mark.django_db


def head_links(html: str) -> tuple[str, dict[str, str]]:
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    return canonical, alternates


def url_in(page, code):
    with translation.override(code):
        return page.get_url()


@pytest.fixture
def half_translated(home):
    """A page written in Japanese and English only: every other language shows it in fallback."""
    return publish(
        home,
        StandardPage(
            **per_language("title", ja="雪の日の注意", en="Snow day advice"),
            **per_language("intro", ja="雪の日は足元に注意。", en="Watch your step on snowy days."),
            slug_ja="snow-advice",
        ),
    )


def test_complete_page_lists_itself_and_every_language_it_has(client):
    spot = SpotPage.objects.get(slug_ja="tsuruga-castle")
    canonical, alternates = head_links(client.get(url_in(spot, "ko")).content.decode())
    assert canonical == "http://testserver" + url_in(spot, "ko")
    assert set(alternates) == {language_tag(code) for code in all_languages()} | {"x-default"}
    assert alternates["zh-Hant"] == "http://testserver" + url_in(spot, "zh-hant")
    assert alternates["x-default"] == "http://testserver" + url_in(spot, "en")


def test_fallback_page_points_its_canonical_at_the_language_it_shows(client, half_translated):
    html = client.get(url_in(half_translated, "th")).content.decode()
    canonical, alternates = head_links(html)
    assert canonical == "http://testserver" + url_in(half_translated, "en")
    assert set(alternates) == {"ja", "en", "x-default"}
    assert 'class="fallback-notice' in html
    # Traditional Chinese falls back to Simplified first, then English.
    canonical, _alternates = head_links(client.get(url_in(half_translated, "zh-hant")).content.decode())
    assert canonical.endswith(url_in(half_translated, "en"))


def test_sitemap_lists_each_language_a_page_has_with_alternates(client, half_translated):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    namespaces = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.fromstring(response.content)
    entries = {url.find("s:loc", namespaces).text: url for url in root.findall("s:url", namespaces)}
    castle = SpotPage.objects.get(slug_ja="tsuruga-castle")
    th_castle = "http://testserver" + url_in(castle, "th")
    links = {link.get("hreflang"): link.get("href") for link in entries[th_castle].findall("x:link", namespaces)}
    assert set(links) == {language_tag(code) for code in all_languages()} | {"x-default"}
    assert "http://testserver" + url_in(half_translated, "en") in entries
    assert "http://testserver" + url_in(half_translated, "th") not in entries
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_route_json_ld_is_a_tourist_trip_with_an_ordered_itinerary(client):
    route = RoutePage.objects.get(slug_ja="castle-town-walk")
    html = client.get(url_in(route, "ja")).content.decode()
    documents = [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)]
    trip = next(doc for doc in documents if doc["@type"] == "TouristTrip")
    items = trip["itinerary"]["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    with translation.override("ja"):
        assert [item["item"]["name"] for item in items] == [stop.name for stop in route.stop_list]
    assert all(item["item"]["@type"] == "TouristAttraction" for item in items)
    assert trip["inLanguage"] == "ja"
    crumbs = next(doc for doc in documents if doc["@type"] == "BreadcrumbList")
    assert crumbs["itemListElement"][-1]["item"].endswith(url_in(route, "ja"))
    assert '<meta property="og:locale" content="ja_JP">' in html


def test_event_and_spot_json_ld(client):
    from events.models import EventPage

    event = EventPage.objects.get(slug_ja="tokaichi")
    html = client.get(url_in(event, "en")).content.decode()
    documents = [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)]
    festival = next(doc for doc in documents if doc["@type"] == "Event")
    assert festival["startDate"] == "2027-01-10"
    spot_html = client.get(url_in(SpotPage.objects.get(slug_ja="tsuruga-castle"), "en")).content.decode()
    assert '"@type": "TouristAttraction"' in spot_html and '"GeoCoordinates"' in spot_html


def test_emergency_notice_shows_in_every_language(client):
    SiteAlert.objects.create(
        **per_language(
            "message",
            ja="大雪のため一部の道路が通行止めです。",
            en="Heavy snow: some roads are closed.",
            zh_hant="大雪導致部分道路封閉。",
            zh_hans="大雪导致部分道路封闭。",
            ko="폭설로 일부 도로가 통제되었습니다.",
            th="หิมะตกหนัก ถนนบางสายปิด",
        ),
        level="danger",
    )
    route = RoutePage.objects.get(slug_ja="castle-town-walk")
    expected = {
        "ja": "大雪のため",
        "en": "Heavy snow",
        "zh-hant": "大雪導致",
        "zh-hans": "大雪导致",
        "ko": "폭설로",
        "th": "หิมะตกหนัก",
    }
    for code, text in expected.items():
        html = client.get(url_in(route, code)).content.decode()
        assert 'role="alert"' in html and text in html, code


def test_ended_alert_is_not_shown(client):
    from datetime import timedelta

    from django.utils import timezone

    SiteAlert.objects.create(
        message_ja="終了した通知", message_en="Old notice", ends_at=timezone.now() - timedelta(hours=1)
    )
    assert "Old notice" not in client.get("/en/").content.decode()


def test_cached_page_is_served_again_and_cleared_by_publishing(client):
    spot = SpotPage.objects.get(slug_ja="tsuruga-castle")
    url = url_in(spot, "en")
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    spot.summary_en = "Freshly edited summary."
    spot.save_revision().publish()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss" and "Freshly edited summary." in response.content.decode()


def test_route_index_filters_and_reports_bad_input(client):
    index_url = url_in(RoutePage.objects.first().get_parent(), "en")

    def results(response) -> str:  # the filtered list, not the popular-routes block above the filters
        return response.content.decode().split('role="status"', 1)[1]

    everything = results(client.get(index_url))
    two_days = results(client.get(index_url, {"duration": "multi"}))
    half_day = "Castle Town Walk (Half Day)</a>"
    assert "Aizu in Two Days" in two_days and half_day not in two_days
    assert half_day in everything
    bad = client.get(index_url, {"month": "13", "theme": "<script>"})
    assert bad.status_code == 200
    body = bad.content.decode()
    assert 'class="form-errors"' in body and "<script>" not in body.split("<main", 1)[1].split("</main>")[0]


def make_route(route_index, stops: int, slug: str) -> RoutePage:
    spots = list(SpotPage.objects.live()[:stops])
    route = RoutePage(**per_language("title", ja=f"{stops}か所ルート", en=f"{stops} stops"), slug_ja=slug)
    route.stops = [
        RouteStop(
            spot=spots[i % len(spots)], stay_minutes=30, transfer_mode="walk" if i < stops - 1 else "", sort_order=i
        )
        for i in range(stops)
    ]
    return publish(route_index, route)


def test_route_page_queries_do_not_grow_with_stops(client, route_index):
    counts = {}
    routes = {stops: make_route(route_index, stops, f"q{stops}") for stops in (5, 20)}
    for stops, route in routes.items():
        url = url_in(route, "en")
        client.get(url)  # warm the per-process caches (site root paths, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"nocache": 1}).status_code == 200
        counts[stops] = len(queries)
    assert counts[5] == counts[20], counts
    assert counts[20] <= 15, "\n".join(q["sql"][:160] for q in queries.captured_queries)


def test_language_switcher_keeps_a_search_in_the_other_language(client):
    html = client.get("/ja/search/", {"q": "鶴ヶ城"}).content.decode()
    assert "next=%2Fko%2Fsearch%2F%3Fq%3D%25E9%25B6%25B4" in html


def test_breadcrumbs_name_every_ancestor_in_the_visitors_language(client):
    """The ancestors come from routing (no query of their own): the same titles and URLs as the tree's."""
    route = RoutePage.objects.get(slug_ja="castle-town-walk")
    for code in ("ja", "ko", "th"):
        html = client.get(url_in(route, code), {"uncached": 1}).content.decode()
        documents = [
            json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
        ]
        crumbs = next(doc for doc in documents if doc["@type"] == "BreadcrumbList")["itemListElement"]
        with translation.override(code):
            trail = [*route.get_ancestors().filter(depth__gt=1).specific(), route]
            expected = [(page.title, "http://testserver" + page.get_url()) for page in trail]
        assert [(crumb["name"], crumb["item"]) for crumb in crumbs] == expected, code
        assert [crumb["position"] for crumb in crumbs] == [1, 2, 3]


def related_titles(client, route) -> list[str]:
    html = client.get(url_in(route, "en"), {"uncached": 1}).content.decode()
    if 'id="recommendations-route"' not in html:
        return []
    section = html.split('id="recommendations-route"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<h3><a [^>]*>([^<]+)</a></h3>", section)


def test_related_routes_are_ranked_when_routes_change(client, route_index):
    """The ranking stored at publish is, for every route, the one a fresh ranking gives, through publish, a change
    of themes, unpublish and theme deletion (a publish re-ranks only the routes near the changed one)."""
    from content.models import Theme

    def fresh(route) -> list[str]:
        with translation.override("en"):
            return [RoutePage.objects.get(pk=pk).title for pk in route.rank_related_routes()]

    def assert_all_fresh() -> None:
        for live in RoutePage.objects.live():
            assert related_titles(client, live) == fresh(live), live.title

    assert_all_fresh()
    route = RoutePage.objects.live().filter(themes__isnull=False).distinct().first()
    themes = list(route.themes.all())
    before = related_titles(client, route)
    twin = make_route(route_index, 2, "twin")
    twin.title_en = "Twin route"
    twin.themes.set(themes)
    twin.save_revision().publish()
    assert "Twin route" in related_titles(client, route)
    assert_all_fresh()
    twin.themes.set([theme for theme in Theme.objects.all() if theme not in themes][:1])
    twin.area = None
    twin.save_revision().publish()  # routes that listed the twin drop it
    assert "Twin route" not in related_titles(client, route)
    assert_all_fresh()
    twin.themes.set(themes)
    twin.save_revision().publish()
    twin.unpublish()
    assert related_titles(client, route) == before
    assert_all_fresh()
    twin.save_revision().publish()
    Theme.objects.filter(pk__in=[theme.pk for theme in themes]).delete()
    assert related_titles(client, route) == fresh(route) != before
    assert_all_fresh()
