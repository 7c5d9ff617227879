import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.http import urlencode
from wagtail.models import Page

from ..languages import fallback_chain, language_name, language_tag, og_locale, supported_languages
from ..routing import page_url
from ..state import TranslationStatus, statuses_from_texts

register = template.Library()


def _statuses(page: Page) -> dict[str, TranslationStatus]:
    """Visitors are shown only whether a language has the page's texts, so review records are not read."""
    if not hasattr(page, "_translation_statuses"):
        page._translation_statuses = statuses_from_texts(page)
    return page._translation_statuses


def path_in_language(request, code: str) -> str:
    """For views that are not Wagtail pages (search, errors): the same path and query under the other prefix."""
    parts = request.get_full_path().split("/", 2) if request is not None else []
    if len(parts) == 3 and parts[1] in supported_languages():
        return f"/{code}/{parts[2]}"
    return f"/{code}/"


def page_url_in(page: Page | None, code: str, request=None) -> str:
    """The page's own URL in another language (Django's set_language cannot move a Wagtail page)."""
    if page is None:
        return path_in_language(request, code)
    with translation.override(code):
        return page_url(page, request) or f"/{code}/"


@functools.lru_cache(maxsize=64)
def _switch_url_base(code: str, script_prefix: str, urlconf: str) -> str:
    # The same on every page (for a URL configuration and prefix); reversing it six times per render is not free.
    return reverse("choose_language", args=[code], urlconf=urlconf)


@register.simple_tag
def html_lang() -> str:
    return language_tag(translation.get_language())


@register.simple_tag
def current_og_locale() -> str:
    return og_locale(translation.get_language())


@register.simple_tag(takes_context=True)
def page_languages(context, page: Page | None = None) -> list[dict]:
    """One entry per language for the switcher and for hreflang: its name in its own script and its URL."""
    page = page if isinstance(page, Page) else None  # templates pass "" when there is no page (404)
    request = context.get("request")
    current = translation.get_language()
    cached = getattr(page, "_language_entries", None)
    if cached and cached[0] == current:
        return cached[1]
    statuses = _statuses(page) if page is not None else {}
    entries = []
    for code in supported_languages():
        url = page_url_in(page, code, request)
        status = statuses.get(code)
        entries.append(
            {
                "code": code,
                "name": language_name(code),
                "tag": language_tag(code),
                "url": url,
                "switch_url": _switch_url_base(code, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
                + "?"
                + urlencode({"next": url}),
                "is_current": code == current,
                "is_default": code == settings.LANGUAGE_CODE,
                "has_language": status.has_language if status else True,
            }
        )
    if page is not None:
        page._language_entries = (current, entries)
    return entries


@register.simple_tag
def fallback_notice(page: Page | None) -> dict | None:
    """When the page is shown partly in other languages: which ones, for a notice in the visitor's language."""
    if not isinstance(page, Page):
        return None
    current = translation.get_language()
    status = _statuses(page).get(current)
    if status is None or status.has_language:
        return None
    shown_in = [code for code in fallback_chain(current) if _statuses(page)[code].has_language]
    return {
        "state": status.state,
        "shown_in": language_name(shown_in[0] if shown_in else settings.SOURCE_LANGUAGE),
    }
