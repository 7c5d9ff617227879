"""Builders for pages in tests: every translated field is set per language, never through the active language."""

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname
from wagtail.models import Page


def per_language(field: str, **values: str) -> dict[str, str]:
    """per_language("title", ja="…", en="…") → {"title_ja": "…", "title_en": "…"}; codes use '_' (zh_hant)."""
    return {build_localized_fieldname(field, code.replace("_", "-")): value for code, value in values.items()}


def publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def all_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]
