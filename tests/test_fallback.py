import pytest
from django.utils import translation

from content.models import StandardPage
from tests.factories import per_language, publish
from translations.languages import fallback_chain


def test_fallback_chains():
    assert fallback_chain("zh-hant") == ("zh-hans", "en", "ja")
    assert fallback_chain("zh-hans") == ("zh-hant", "en", "ja")
    for code in ("ko", "th"):
        assert fallback_chain(code) == ("en", "ja")
    assert fallback_chain("en") == ("ja",)


@pytest.mark.django_db
def test_texts_fall_back_in_the_stated_order(home):
    page = publish(
        home,
        StandardPage(
            **per_language("title", ja="日本語だけ", en="English", zh_hant="繁體"),
            **per_language("intro", ja="日本語の紹介"),
            slug_ja="fallback-test",
        ),
    )
    page = StandardPage.objects.get(pk=page.pk)
    expected_titles = {"zh-hans": "繁體", "zh-hant": "繁體", "ko": "English", "th": "English", "en": "English"}
    for code, title in expected_titles.items():
        with translation.override(code):
            assert page.title == title, code
            assert page.intro == "日本語の紹介", code


@pytest.mark.django_db
def test_fallback_page_carries_a_notice_in_the_visitors_language(client, home):
    page = publish(
        home,
        StandardPage(**per_language("title", ja="お知らせ", en="Notice"), slug_ja="notice-test"),
    )
    with translation.override("th"):
        url = page.get_url()
    body = client.get(url).content.decode()
    assert 'class="fallback-notice' in body and "English" in body
    with translation.override("en"):
        assert 'class="fallback-notice' not in client.get(page.get_url()).content.decode()
