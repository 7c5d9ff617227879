import datetime
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.utils import translation
from wagtail.models import Page, PageViewRestriction

from content.models import StandardPage
from events.models import EventPage
from routes.models import RoutePage, SpotPage
from search.models import SearchDocument, SearchQueryLog
from search.query import search
from search.querylog import record_search
from search.signals import site_search_performed
from search.text import fold, highlight, query_terms, romaji_key
from tests.factories import all_languages, per_language, publish

pytestmark = pytest.mark.django_db

SEARCH_TITLE = re.compile(r'<li class="search-result">.*?<h2><a href="([^"]+)">(.*?)</a></h2>', re.S)


def results_page(client, code: str, **params):
    return client.get(f"/{code}/search/", params)


def hit_urls(response) -> list[str]:
    return [url for url, _title in SEARCH_TITLE.findall(response.content.decode())]


def hit_titles(response) -> list[str]:
    return [unescape(re.sub(r"</?mark>", "", title)) for _url, title in SEARCH_TITLE.findall(response.content.decode())]


def url_in(page: Page, code: str) -> str:
    with translation.override(code):
        return page.get_url()


def search_in(code: str, query: str, **kwargs):
    with translation.override(code):
        return search(query_terms(query), code, **kwargs)


# --- Folding: the same word in any spelling a visitor may type compares equal.


def test_folding_makes_spellings_that_readers_treat_as_one_word_equal():
    assert fold("サザエ堂") == fold("さざえ堂")
    assert fold("鶴ヶ城") == fold("鶴ケ城")
    assert fold("ＡＩＺＵ　Castle") == "aizu castle"
    assert fold("末廣酒造 嘉永蔵") == fold("末廣酒造嘉永蔵")
    assert fold("Tōkaichi") == "tokaichi"
    assert fold("สึรุงะ") == "สึรุงะ"  # Thai vowel marks are letters, not accents to drop
    assert fold("が") == "が"
    assert fold("a\u200bb\x00c") == "abc"


def test_romaji_key_forgives_long_vowels_and_hyphens():
    assert romaji_key("Tōkaichi") == romaji_key("Toukaichi") == romaji_key("tokaichi") == "tokaichi"
    assert romaji_key("Aizu-Wakamatsu") == romaji_key("aizuwakamatsu")
    assert romaji_key("Ōuchi-juku") == romaji_key("Ouchi juku")


def test_query_words_are_split_where_the_visitor_typed_a_space():
    assert query_terms("鶴ヶ城　公園") == [fold("鶴ヶ城"), "公園"]
    assert query_terms("  Tsuruga, castle! castle ") == ["tsuruga", "castle"]


def test_highlight_marks_hits_in_the_text_as_written_and_escapes_the_rest():
    html = highlight("<b>鶴ヶ城</b>とサザエ堂", [fold("鶴ケ城"), fold("さざえ堂")])
    assert html == "&lt;b&gt;<mark>鶴ヶ城</mark>&lt;/b&gt;と<mark>サザエ堂</mark>"
    assert highlight("a\u200bß Straße", ["strasse"]) == "a\u200bß <mark>Straße</mark>"  # 1→0 and 1→2 characters
    snippet = highlight("x" * 300 + " Tōkaichi market " + "y" * 300, ["tokaichi"], window=60)
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>Tōkaichi</mark>" in snippet


# --- A word from inside a title finds its page, in every language.


@pytest.mark.parametrize(
    ("code", "word", "slug"),
    [
        ("ja", "鶴ヶ城", "castle-town-walk"),  # 鶴ヶ城と七日町・大町通り 城下町さんぽ（半日）
        ("ja", "七日町", "castle-town-walk"),
        ("zh-hant", "鶴城", "castle-town-walk"),  # 鶴城與七日町、大町通：…
        ("zh-hant", "七日町", "castle-town-walk"),
        ("zh-hans", "鹤城", "castle-town-walk"),
        ("ko", "쓰루가성", "castle-town-walk"),  # 쓰루가성과 나노카마치: … (no space before the particle)
        ("ko", "나노카마치", "castle-town-walk"),
        ("th", "สึรุงะ", "castle-town-walk"),  # ปราสาทสึรุงะและถนนนาโนกะมาจิ: …
        ("th", "นาโนกะมาจิ", "castle-town-walk"),
        ("en", "Nanokamachi", "castle-town-walk"),
    ],
)
def test_a_word_from_inside_a_title_finds_its_page(client, code, word, slug):
    route = RoutePage.objects.get(slug_ja=slug)
    response = results_page(client, code, q=word)
    assert response.status_code == 200
    assert url_in(route, code) in hit_urls(response)


def test_the_issue_example_finds_the_route_whose_title_starts_with_the_word(client):
    route = RoutePage.objects.get(slug_ja="castle-town-walk")
    route.title_ja = "鶴ヶ城と七日町散策"
    route.save_revision().publish()
    assert url_in(route, "ja") in hit_urls(results_page(client, "ja", q="鶴ヶ城"))


def test_the_place_named_exactly_comes_first(client):
    castle = SpotPage.objects.get(slug_ja="tsuruga-castle")
    for code, word in [("ja", "鶴ヶ城"), ("zh-hant", "鶴城"), ("ko", "쓰루가성"), ("en", "Tsuruga Castle")]:
        assert hit_urls(results_page(client, code, q=word))[0] == url_in(castle, code), code


def test_titles_rank_above_body_text():
    results = search_in("ja", "飯盛山")
    scores = [hit.document.score for hit in results.hits]
    assert results.hits[0].document.title == "飯盛山"
    assert scores == sorted(scores, reverse=True)
    in_title = [hit for hit in results.hits if "飯盛山" in hit.document.title]
    in_body_only = [hit for hit in results.hits if "飯盛山" not in hit.document.title]
    assert in_title and in_body_only
    assert results.hits.index(in_title[-1]) < results.hits.index(in_body_only[0])


# --- Romaji and English names find pages in every language.


@pytest.mark.parametrize("code", ["ja", "zh-hant", "ko", "th"])
def test_romaji_finds_the_page_in_the_visitors_language(client, code):
    castle = SpotPage.objects.get(slug_ja="tsuruga-castle")
    response = results_page(client, code, q="Tsuruga")
    assert url_in(castle, code) in hit_urls(response)
    with translation.override(code):
        assert castle.title in hit_titles(response)


def test_romaji_on_the_japanese_site_finds_the_japanese_castle_page(client):
    response = results_page(client, "ja", q="Tsuruga")
    assert "鶴ヶ城（会津若松城）" in hit_titles(response)


@pytest.mark.parametrize("query", ["Tōkaichi", "toukaichi", "TOKAICHI"])
def test_hepburn_variants_find_the_festival(client, query):
    festival = EventPage.objects.get(slug_ja="tokaichi")
    assert url_in(festival, "ja") in hit_urls(results_page(client, "ja", q=query))


# --- Languages never mix.


@pytest.mark.parametrize("code", all_languages())
def test_results_are_only_in_the_visitors_language(client, code):
    response = results_page(client, code, q="aizu")
    urls = hit_urls(response)
    assert urls and all(url.startswith(f"/{code}/") for url in urls)
    results = search_in(code, "aizu", per_page=100)
    assert {hit.document.language for hit in results.hits} == {code}
    for hit in results.hits:
        with translation.override(code):
            assert hit.document.title == Page.objects.get(pk=hit.document.page_id).specific.title


def test_wildcards_are_plain_characters():
    assert search_in("en", "%").total == 0
    assert search_in("en", "a%b").total == 0
    assert search_in("en", "c_stle").total == 0
    assert search_in("en", "castle").total > 0


def test_a_word_of_another_language_finds_nothing():
    assert search_in("ja", "쓰루가성").total == 0
    assert search_in("ko", "鶴ヶ城").total == 0
    assert search_in("th", "쓰루가성").total == 0


def test_a_page_in_fallback_is_found_and_marked(client, home):
    page = publish(
        home,
        StandardPage(
            **per_language("title", ja="雪の日の鶴ヶ城案内", en="Tsuruga Castle on snowy days"),
            **per_language("intro", ja="雪の日の注意。", en="Watch your step."),
            slug_ja="snow-castle",
        ),
    )
    response = results_page(client, "th", q="snowy")
    assert url_in(page, "th") in hit_urls(response)
    assert "English" in re.search(r'class="search-fallback">([^<]*)<', response.content.decode()).group(1)
    document = SearchDocument.objects.get(page=page, language="th")
    assert document.fallback_language == "en" and document.title == "Tsuruga Castle on snowy days"
    assert SearchDocument.objects.get(page=page, language="ja").fallback_language == ""
    assert SearchDocument.objects.get(page=page, language="zh-hant").fallback_language == "en"


# --- The index follows publishing.


def test_unpublished_and_deleted_pages_are_gone_from_results(client, home):
    page = publish(home, StandardPage(**per_language("title", ja="ぴょんぴょん饅頭の店", en="Bun shop"), slug_ja="bun"))
    assert search_in("ja", "ぴょんぴょん").total == 1
    assert SearchDocument.objects.filter(page=page).count() == len(all_languages())
    page.unpublish()
    assert search_in("ja", "ぴょんぴょん").total == 0
    assert url_in(page, "ja") not in hit_urls(results_page(client, "ja", q="ぴょんぴょん"))
    page.save_revision().publish()
    assert search_in("ja", "ぴょんぴょん").total == 1
    page.delete()
    assert search_in("ja", "ぴょんぴょん").total == 0
    assert not SearchDocument.objects.filter(page_id=page.pk).exists()


def test_published_changes_are_found_and_drafts_are_not(home):
    page = publish(home, StandardPage(**per_language("title", ja="ぽかぽか広場"), slug_ja="pokapoka"))
    page.title_ja = "ふわふわ広場"
    page.save_revision()  # a draft: visitors still see the old title
    assert search_in("ja", "ふわふわ").total == 0
    page.save_revision().publish()
    assert search_in("ja", "ふわふわ").total == 1
    assert search_in("ja", "ぽかぽか").total == 0


def test_renaming_a_spot_updates_the_routes_that_stop_there():
    spot = SpotPage.objects.get(slug_ja="rinkaku")
    spot.title_ja = "茶室麟閣（千少庵ゆかり）"
    spot.save_revision().publish()
    route = RoutePage.objects.get(slug_ja="castle-town-walk")
    assert "千少庵ゆかり" in SearchDocument.objects.get(page=route, language="ja").body


def test_private_pages_are_not_searchable(home):
    page = publish(home, StandardPage(**per_language("title", ja="職員専用ぴかぴかメモ"), slug_ja="staff-memo"))
    assert search_in("ja", "ぴかぴか").total == 1
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert search_in("ja", "ぴかぴか").total == 0
    restriction.delete()
    assert search_in("ja", "ぴかぴか").total == 1


def test_rebuild_command_indexes_every_live_page_in_every_language():
    SearchDocument.objects.all().delete()
    call_command("rebuild_search_index", verbosity=0)
    live = Page.objects.live().exclude(depth=1).count()
    assert SearchDocument.objects.count() == live * len(all_languages())
    assert search_in("ko", "쓰루가성").total > 0


# --- The results page.


def test_results_page_highlights_and_is_not_indexed_by_search_engines(client):
    body = results_page(client, "ja", q="七日町").content.decode()
    assert '<meta name="robots" content="noindex">' in body
    assert "<mark>七日町</mark>" in body
    assert '<html lang="ja">' in body


def test_snippets_escape_what_editors_wrote(client, home):
    publish(
        home,
        StandardPage(
            **per_language("title", ja="注意書き"),
            **per_language("intro", ja="<script>alert(1)</script> むにゃむにゃの日は店が早く閉まります。"),
            **per_language("body", ja="<p>雨の日は<b>ふにゃ</b>ふにゃ</p><p>晴れの日&amp;雪の日</p>"),
            slug_ja="escape-test",
        ),
    )
    document = SearchDocument.objects.get(page__slug_ja="escape-test", language="ja")
    assert document.body.endswith("雨の日はふにゃふにゃ 晴れの日&雪の日")  # rich text: tags gone, entities read
    body = results_page(client, "ja", q="むにゃむにゃ").content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<mark>むにゃむにゃ</mark>" in body


def test_filters_by_type_and_theme(client):
    events = search_in("ja", "鶴ヶ城", page_type="event")
    assert events.total and all(hit.document.page_type == "event" for hit in events.hits)
    onsen = search_in("ja", "会津", theme="onsen", per_page=100)
    assert onsen.total
    for hit in onsen.hits:
        page = Page.objects.get(pk=hit.document.page_id).specific
        assert "onsen" in {theme.key for theme in page.themes.all()}
    response = results_page(client, "ja", q="鶴ヶ城", type="spot", theme="cherry-blossoms")
    assert hit_titles(response) == ["鶴ヶ城（会津若松城）", "鶴ヶ城公園"]


def test_results_are_paged(client):
    first = results_page(client, "en", q="a")
    second = results_page(client, "en", q="a", page=2)
    assert first.status_code == second.status_code == 200
    assert len(hit_urls(first)) == 10
    assert hit_urls(second) and not set(hit_urls(first)) & set(hit_urls(second))
    assert 'rel="next"' in first.content.decode() and 'rel="prev"' in second.content.decode()
    assert 'start="11"' in second.content.decode()


def test_nothing_found_suggests_popular_routes(client):
    response = results_page(client, "ko", q="존재하지않는단어")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="search-nothing"' in body
    with translation.override("ko"):
        first_route = RoutePage.objects.live().order_by("path").first()
        assert first_route.title in unescape(body)


def test_every_page_offers_the_search_form(client):
    body = client.get("/th/").content.decode()
    assert 'class="site-search"' in body and 'action="/th/search/"' in body


@pytest.mark.parametrize(
    "params",
    [
        {"q": "鶴" * 101},
        {"q": "鶴ヶ城", "type": "castle"},
        {"q": "鶴ヶ城", "theme": "no-such-theme"},
        {"q": "鶴ヶ城", "page": "two"},
        {"q": "鶴ヶ城", "page": "0"},
        {"q": "鶴ヶ城", "page": "99999999999999999999"},
        {"q": "a\x00b"},
        {"q": " ".join(f"w{n}" for n in range(11))},
    ],
)
def test_bad_input_gets_a_clear_message_not_an_error(client, params):
    response = results_page(client, "ja", **params)
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()


def test_a_page_of_results_past_the_end_says_so(client):
    response = results_page(client, "ja", q="鶴ヶ城", page=50)
    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="form-errors"' in body and "?q=" in body


def test_empty_and_punctuation_only_queries_show_the_form(client):
    for query in ["", "   ", "!!!"]:
        response = results_page(client, "en", q=query)
        assert response.status_code == 200 and "search-filters" in response.content.decode()
    assert not SearchQueryLog.objects.exists()


# --- What visitors searched, for staff, with nothing about the visitor.


def test_searches_are_sent_to_the_hook_and_counted(client):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs)

    site_search_performed.connect(listener)
    try:
        results_page(client, "ja", q="鶴ヶ城")
        results_page(client, "ja", q="鶴ヶ城", page=2)  # paging is not another search
        results_page(client, "ja", q="存在しない言葉")
    finally:
        site_search_performed.disconnect(listener)
    assert [(h["term"], h["language"], h["result_count"] > 0) for h in heard] == [
        ("鶴ヶ城", "ja", True),
        ("存在しない言葉", "ja", False),
    ]
    found = SearchQueryLog.objects.get(term="鶴ヶ城", language="ja")
    assert (found.searches, found.zero_result_searches) == (1, 0)
    nothing = SearchQueryLog.objects.get(term="存在しない言葉")
    assert (nothing.searches, nothing.zero_result_searches, nothing.last_result_count) == (1, 1, 0)
    stored = {field.name for field in SearchQueryLog._meta.fields}
    assert stored == {"id", "day", "language", "term", "searches", "zero_result_searches", "last_result_count"}


def test_terms_that_may_identify_someone_are_not_logged():
    assert not record_search("taro@example.com", "en", 0)
    assert not record_search("090-1234-5678", "ja", 0)
    assert record_search("Castle", "en", 3) and record_search("castle", "en", 0)
    row = SearchQueryLog.objects.get(term="castle")
    assert (row.searches, row.zero_result_searches, row.last_result_count) == (2, 1, 0)


def test_staff_report_lists_top_and_zero_result_terms(admin_client):
    today = datetime.date.today()
    record_search("鶴ヶ城", "ja", 12, day=today)
    record_search("鶴ヶ城", "ja", 12, day=today)
    record_search("ramen", "th", 0, day=today)
    record_search("old search", "en", 0, day=today - datetime.timedelta(days=400))
    response = admin_client.get("/admin/site-searches/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "鶴ヶ城" in body and "ramen" in body and "old search" not in body
    response = admin_client.get("/admin/site-searches/", {"language": "th", "start": "2000-01-01"})
    body = response.content.decode()
    assert "ramen" in body and "鶴ヶ城" not in body
    assert admin_client.get("/admin/site-searches/", {"start": "not a date"}).status_code == 200


def test_staff_report_needs_permission(client, django_user_model):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = client.get("/admin/site-searches/")
    assert response.status_code == 302 and response.url == "/admin/"  # Wagtail's answer to PermissionDenied
