import pytest
from django.conf import settings

from translations.languages import language_from_accept_header, match_language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("th-TH,th;q=0.9,en;q=0.8", "th"),
        ("zh-TW,zh;q=0.9", "zh-hant"),
        ("zh-HK", "zh-hant"),
        ("zh-Hant-HK", "zh-hant"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("zh-SG", "zh-hans"),
        ("ko-KR,ko;q=0.9", "ko"),
        ("ja", "ja"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,de;q=0.8,ja;q=0.5", "ja"),
        ("de;q=0.9,ko;q=0.95", "ko"),
    ],
)
def test_accept_language_picks_the_best_supported_language(header, expected):
    assert language_from_accept_header(header) == expected


@pytest.mark.parametrize("header", ["fr-FR,fr;q=0.9", "", "*", "xx-invalid;;q=abc"])
def test_unknown_or_missing_language_matches_nothing(header):
    assert language_from_accept_header(header) is None


def test_alias_table_only_names_supported_languages():
    supported = {code for code, _name in settings.LANGUAGES}
    assert set(settings.LANGUAGE_ALIASES.values()) <= supported
    assert match_language("zh_TW") == "zh-hant"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "prefix"),
    [("th-TH,th;q=0.9", "/th/"), ("zh-CN", "/zh-hans/"), ("zh-TW", "/zh-hant/"), ("fr-FR", "/en/"), ("", "/en/")],
)
def test_root_redirects_by_accept_language(client, header, prefix):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 302
    assert response["Location"] == prefix
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


@pytest.mark.django_db
def test_explicit_choice_in_cookie_beats_the_browser(client):
    response = client.get("/language/ko/", {"next": "/ko/"})
    assert response.status_code == 302 and response["Location"] == "/ko/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ko"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="th-TH")["Location"] == "/ko/"


@pytest.mark.django_db
def test_language_choice_rejects_unknown_language_and_foreign_redirects(client):
    assert client.get("/language/xx/").status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    response = client.get("/language/th/", {"next": "https://evil.example/"})
    assert response["Location"] == "/th/"
