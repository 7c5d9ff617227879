"""The header, footer and site lookup are shared between uncached renders until anything they show changes.

Every request here carries a query string, so the whole-page cache never answers: only the shared parts can be
stale, and each test checks that the edit that should clear them does.
"""

import time

import pytest
from django.utils import translation
from wagtail.models import Page, Site

from consent.models import ConsentNotice
from content.models import SiteAlert, StandardPage
from routes.models import RouteIndexPage, SpotIndexPage, SpotPage
from tests.factories import per_language, publish
from visitaizu import page_cache

pytestmark = pytest.mark.django_db


def uncached(client, page, code: str = "en", **query) -> str:
    with translation.override(code):
        url = page.get_url()
    response = client.get(url, {"uncached": 1, **query})
    assert response.status_code == 200 and "X-Page-Cache" not in response
    return response.content.decode()


def header(html: str) -> str:
    return html.split('<header class="site-header">', 1)[1].split('class="language-switcher"', 1)[0]


def footer(html: str) -> str:
    return html.split('<footer class="site-footer">', 1)[1]


@pytest.fixture
def spot():
    return SpotPage.objects.get(slug_ja="tsuruga-castle")


def test_a_published_information_page_appears_in_the_shared_footer(client, home, spot):
    assert "Onsen guide" not in footer(uncached(client, spot))  # the footer is now shared
    publish(home, StandardPage(**per_language("title", ja="温泉案内", en="Onsen guide"), slug_ja="onsen"))
    assert "Onsen guide</a>" in footer(uncached(client, spot))


def test_a_renamed_menu_page_is_renamed_in_every_language(client, spot):
    index = RouteIndexPage.objects.get()
    uncached(client, spot, "en"), uncached(client, spot, "ko")
    index.title_en, index.title_ko = "Itineraries", "여행 일정"
    index.save_revision().publish()
    assert "Itineraries</a>" in header(uncached(client, spot, "en"))
    assert "여행 일정</a>" in header(uncached(client, spot, "ko"))


def test_an_unpublished_menu_page_leaves_the_header(client, spot):
    index = SpotIndexPage.objects.get()
    with translation.override("en"):
        link = f'href="{index.get_url()}"'
    assert link in header(uncached(client, spot))
    index.unpublish()
    assert link not in header(uncached(client, spot))


def test_the_header_marks_the_menu_item_of_the_page_shown(client):
    routes, spots = RouteIndexPage.objects.get(), SpotIndexPage.objects.get()
    with translation.override("en"):
        routes_url, spots_url = routes.get_url(), spots.get_url()
    on_routes, on_spots = header(uncached(client, routes)), header(uncached(client, spots))
    assert f'href="{routes_url}" aria-current="page"' in on_routes and f'href="{spots_url}">' in on_routes
    assert f'href="{spots_url}" aria-current="page"' in on_spots and f'href="{routes_url}">' in on_spots


def test_a_new_consent_notice_replaces_the_shared_footer_dialog(client, spot):
    before = footer(uncached(client, spot))
    version = (ConsentNotice.objects.first().version if ConsentNotice.objects.exists() else 0) + 1
    ConsentNotice.objects.create(
        version=version,
        **per_language("title", ja="新しい同意文", en="A newer notice"),
        **per_language("data_collected", ja="保存する内容", en="What is kept"),
        **per_language("purpose", ja="目的", en="Why"),
        **per_language("recipients", ja="受け取る人", en="Who"),
    )
    after = footer(uncached(client, spot))
    assert "A newer notice" not in before and "A newer notice" in after
    assert f'data-version="{version}"' in after


def test_an_alert_saved_or_ended_shows_on_the_next_render(client, spot):
    assert "site-alert" not in uncached(client, spot)
    alert = SiteAlert.objects.create(**per_language("message", ja="道路閉鎖", en="Road closed"), level="warning")
    assert "Road closed" in uncached(client, spot)
    alert.active = False
    alert.save()
    assert "Road closed" not in uncached(client, spot)


def test_saving_a_site_clears_the_shared_site_lookup(client, spot):
    uncached(client, spot)
    generation = page_cache.cache.get(page_cache.GENERATION_KEY, 0)
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Visit Aizu (renamed)"
    site.save()
    assert page_cache.cache.get(page_cache.GENERATION_KEY, 0) != generation
    assert uncached(client, spot)  # routed from the site as saved


def test_previews_never_fill_or_read_shared_parts(rf):
    calls = []
    request = rf.get("/en/")
    request.is_preview = True
    for _ in range(2):
        page_cache.shared(request, "probe", lambda: calls.append(1) or "value")
    assert len(calls) == 2
    request = rf.get("/en/")
    for _ in range(2):
        page_cache.shared(request, "probe", lambda: calls.append(1) or "value")
    assert len(calls) == 3


def test_a_page_made_private_asks_for_its_password(client, spot):
    """Serving skips Wagtail's restriction check while no page is private; a new restriction ends that at once."""
    from wagtail.models import PageViewRestriction

    assert not page_cache.any_view_restrictions()
    assert "Tsuruga" in uncached(client, spot)
    with translation.override("en"):
        url = spot.get_url()
    client.get(url)  # now in the whole-page cache too
    restriction = PageViewRestriction.objects.create(
        page=spot, restriction_type=PageViewRestriction.PASSWORD, password="kitakata"
    )
    for query in ({"uncached": 1}, {}):
        response = client.get(url, query)
        assert response.status_code == 200 and "X-Page-Cache" not in response
        assert 'name="password"' in response.content.decode()
        assert "no-store" in response["Cache-Control"]
    restriction.delete()
    assert not page_cache.any_view_restrictions()
    assert 'name="password"' not in uncached(client, spot)


def test_a_process_memo_never_outlives_a_generation(client, spot):
    """Pages and shared parts a process keeps in memory are filed under the generation: a publish in another
    process (only the shared counter moves) or an emptied cache (a new random generation) reaches them at once."""
    with translation.override("en"):
        url = spot.get_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    for _ in range(2):  # from the shared cache, then from this process's memory
        assert client.get(url)["X-Page-Cache"] == "hit"
    Page.objects.filter(pk=spot.pk).update(title_en="Renamed elsewhere")  # as another process would, no signal
    assert "Renamed elsewhere" not in client.get(url).content.decode()
    page_cache.invalidate()  # that process's publish signal: the shared counter moves, nothing here is told
    assert "Renamed elsewhere" in client.get(url).content.decode()
    assert "Renamed elsewhere" in uncached(client, spot)
    Page.objects.filter(pk=spot.pk).update(title_en="Renamed again")
    page_cache.cache.clear()  # Redis emptied: the generation starts again, from a random number
    assert "Renamed again" in client.get(url).content.decode()


def test_the_memo_keeps_to_its_bounds():
    memo = page_cache.GenerationMemo(max_bytes=10, max_items=3)
    memo.set(1, "a", "aaaa", seconds=60, size=4)
    memo.set(1, "b", "bbbb", seconds=60, size=4)
    memo.set(1, "c", "cccc", seconds=60, size=4)  # over 10 bytes: the least recently used goes
    assert memo.get(1, "a") is None and memo.get(1, "c") == "cccc"
    memo.set(1, "d", "d", seconds=-1)  # already expired
    assert memo.get(1, "d") is None
    assert memo.get(2, "c") is None  # asked under a newer generation
    memo.set(2, "e", "e", seconds=60)
    assert memo.get(1, "b") is None and memo.get(2, "e") == "e" and memo.size == 1


def test_a_memoised_page_lives_no_longer_than_its_shared_entry(client, spot):
    """A page rendered 590 s ago is kept in this process for the 10 s it has left in the shared cache, so pages
    with time-bound alerts turn over on schedule."""
    with translation.override("en"):
        url = spot.get_url()
    client.get(url)
    key = f"page-cache:{page_cache.current_generation()}:page:testserver:{url}"  # as the middleware files it
    content, language, rendered_at = page_cache.cache.get(key)
    page_cache.cache.set(key, (content, language, rendered_at - 590), 600)
    assert client.get(url)["X-Page-Cache"] == "hit"
    expiry, _size, _value = page_cache._page_memo.entries[key]
    assert 0 < expiry - time.monotonic() <= 10
