"""Which language a visitor gets, and how our language codes are written for browsers and search engines."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation.trans_real import parse_accept_lang_header


def supported_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    """The language's name in its own script, as a visitor looks for it in a switcher."""
    return dict(settings.LANGUAGES)[code]


def language_tag(code: str) -> str:
    """BCP 47 tag for `<html lang>` and hreflang (zh-hant → zh-Hant)."""
    return settings.LANGUAGE_TAGS.get(code, code)


def og_locale(code: str) -> str:
    return settings.OG_LOCALES.get(code, code.replace("-", "_"))


def fallback_chain(code: str) -> tuple[str, ...]:
    """The languages a missing text is taken from, in order, as modeltranslation resolves them."""
    chains = settings.MODELTRANSLATION_FALLBACK_LANGUAGES
    chain = chains.get(code, chains["default"])
    return tuple(lang for lang in chain if lang != code)


def match_language(tag: str) -> str | None:
    """Map one browser language tag (en-US, zh-TW, zh-Hant-HK, th) to a supported language, if any."""
    supported = supported_languages()
    parts = tag.strip().lower().replace("_", "-").split("-")
    for length in range(len(parts), 0, -1):
        prefix = "-".join(parts[:length])
        if prefix in supported:
            return prefix
        alias = settings.LANGUAGE_ALIASES.get(prefix)
        if alias in supported:
            return alias
    return None


def language_from_accept_header(header: str) -> str | None:
    for tag, _quality in parse_accept_lang_header(header or ""):
        if tag != "*" and (code := match_language(tag)):
            return code
    return None


def negotiate_language(request: HttpRequest) -> str:
    """An explicit choice (cookie) wins, then the browser's Accept-Language, then English."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in supported_languages():
        return chosen
    return language_from_accept_header(request.headers.get("Accept-Language", "")) or settings.LANGUAGE_CODE


def shown_columns(*fields: str) -> list[str]:
    """The columns of translated fields that can show in the active language: its own, then its fallbacks'.

    For `.only()` on rows a page merely links to or lists (cards, stops, breadcrumbs): loading the other
    languages' columns would cost time on every render for text that is never shown. `fields` may name a
    related model's field (`area__name`). Outside a supported language, every language's column is loaded.
    """
    from django.utils.translation import get_language
    from modeltranslation.utils import build_localized_fieldname

    code = get_language()
    languages = (code, *fallback_chain(code)) if code in supported_languages() else supported_languages()
    return [build_localized_fieldname(field, language) for field in fields for language in languages]
