import re

import pytest
from django.utils import translation
from wagtail.models import Page

from content.models import StandardPage
from tests.factories import all_languages, per_language, publish
from translations.languages import language_tag

pytestmark = pytest.mark.django_db


def assert_page_answers(client, page, code):
    with translation.override(code):
        url = page.get_url()
    assert url.startswith(f"/{code}/"), url
    response = client.get(url)
    assert response.status_code == 200, f"{url} → {response.status_code}"
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match and match.group(1) == language_tag(code), url


def test_every_live_page_answers_200_in_every_language(client):
    pages = Page.objects.live().exclude(depth=1).specific()
    assert pages.count() >= 40
    for page in pages:
        for code in all_languages():
            assert_page_answers(client, page, code)


def test_empty_slug_with_a_fallback_slug_that_differs_from_japanese_still_answers(client, home):
    """The modeltranslation defect: th falls back to en, whose slug differs from ja's; the URL must still resolve."""
    parent = publish(home, StandardPage(**per_language("title", ja="親", en="Parent"), slug_ja="oya", slug_en="parent"))
    child = publish(
        parent, StandardPage(**per_language("title", ja="子", en="Child"), slug_ja="ko-page", slug_en="child")
    )
    for code in all_languages():
        assert_page_answers(client, child, code)
    with translation.override("th"):
        assert child.get_url() == "/th/parent/child/"
    with translation.override("zh-hans"):
        assert child.get_url() == "/zh-hans/parent/child/"


def test_unknown_page_is_a_404_in_the_visitors_language(client):
    response = client.get("/ko/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="ko">' in response.content.decode()
