import json

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from wagtail.models import Page

from translations.languages import fallback_chain, og_locale
from translations.templatetags.translation_tags import page_languages

from ..structured_data import absolute_url, page_json_ld

register = template.Library()


def _script_json(document: dict) -> str:
    """JSON that cannot close its <script> element, whatever editors typed."""
    text = json.dumps(document, ensure_ascii=False, default=str)
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _description(page: Page) -> str:
    for name in ("search_description", "summary", "intro"):
        if value := getattr(page, name, ""):
            return Truncator(value).chars(200)
    return ""


@register.inclusion_tag("seo/head.html", takes_context=True)
def seo_head(context, page: Page | None = None) -> dict:
    """Canonical, hreflang alternates, Open Graph and JSON-LD.

    Only languages the page really has are alternates; a page shown in fallback points its canonical at the
    language whose text it shows, so search engines never index the same text under two languages.
    """
    request = context["request"]
    if not isinstance(page, Page):
        return {"page": None}
    languages = page_languages(context, page)
    by_code = {entry["code"]: entry for entry in languages}
    current = next(entry for entry in languages if entry["is_current"])
    source = next(
        (by_code[code] for code in fallback_chain(current["code"]) if by_code[code]["has_language"]),
        by_code[settings.SOURCE_LANGUAGE],
    )
    canonical = current if current["has_language"] else source
    alternates = [entry for entry in languages if entry["has_language"]]
    default = by_code[settings.LANGUAGE_CODE]
    hero = getattr(page, "hero_image", None)
    image = absolute_url(request, hero.get_rendition("fill-1200x630").url) if hero else ""
    return {
        "page": page,
        "canonical": absolute_url(request, canonical["url"]),
        "alternates": [{**entry, "absolute": absolute_url(request, entry["url"])} for entry in alternates],
        "x_default": absolute_url(request, (default if default["has_language"] else source)["url"]),
        "og_locale": og_locale(current["code"]),
        "og_alternates": [og_locale(entry["code"]) for entry in alternates if not entry["is_current"]],
        "description": _description(page),
        "image": image,
        "json_ld": [_script_json(document) for document in page_json_ld(page, request, image)],
    }
