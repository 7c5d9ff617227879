"""The one place that decides whether a page is translated into a language.

hreflang alternates, the fallback notice, the sitemap and the admin report all ask `translation_status`.
"""

import functools
import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.models import get_all_child_relations
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname
from wagtail.models import Page

from .models import TranslationRecord

# Filled from the source language automatically, so they say nothing about whether a page was translated.
UNTRACKED_FIELDS = {"slug", "url_path"}


class State(StrEnum):
    COMPLETE = "complete"
    NEEDS_REVIEW = "needs_review"
    PARTIAL = "partial"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return {
            State.COMPLETE: _("Complete"),
            State.NEEDS_REVIEW: _("Needs review"),
            State.PARTIAL: _("Partial"),
            State.MISSING: _("Missing"),
        }[self]


@dataclass(frozen=True)
class TranslationStatus:
    language: str
    state: State
    translated: int
    total: int
    missing_fields: list[str] = field(default_factory=list)
    machine_made: bool = False
    stale: bool = False

    @property
    def has_language(self) -> bool:
        """Every text exists in this language (reviewed or not): the page is not shown in fallback."""
        return self.state in (State.COMPLETE, State.NEEDS_REVIEW)


def _translated_fields(model: type[models.Model]) -> list[str]:
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return []
    return sorted(name for name in options.all_fields if name not in UNTRACKED_FIELDS)


def _text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "raw_data"):  # StreamValue
        return json.dumps(list(value.raw_data), sort_keys=True, default=str) if len(value) else ""
    text = str(value).strip()
    # The rich text editor saves an empty field as an empty paragraph: that is no text.
    return text if "<" not in text or _markup_has_text(text) else ""


@functools.lru_cache(maxsize=1024)
def _markup_has_text(html: str) -> bool:
    """Whether rich text holds any text besides its tags (parsing HTML is slow; every page view asks)."""
    return bool(strip_tags(html).strip())


# A translated field and its column in each language.
FieldColumns = tuple[str, tuple[tuple[str, str], ...]]


@functools.cache
def _columns(model: type[models.Model], languages: tuple[str, ...]) -> tuple[FieldColumns, ...]:
    """Each translated field of a model with its column per language (derived from the model: computed once)."""
    return tuple(
        (name, tuple((lang, build_localized_fieldname(name, lang)) for lang in languages))
        for name in _translated_fields(model)
    )


@functools.cache
def _translated_child_relations(model: type[models.Model]) -> tuple[str, ...]:
    """Accessors of the child rows with translated texts (route stops; not comments and the like)."""
    return tuple(
        relation.get_accessor_name()
        for relation in get_all_child_relations(model)
        if _translated_fields(relation.related_model)
    )


def translatable_texts(page: Page) -> dict[str, dict[str, str]]:
    """Every translated text of a page and of its child rows (route stops), keyed `field` or `relation.N.field`."""
    languages = tuple(code for code, _name in settings.LANGUAGES)
    texts: dict[str, dict[str, str]] = {}

    def collect(obj: models.Model, prefix: str) -> None:
        for name, columns in _columns(type(obj), languages):
            texts[prefix + name] = {lang: _text(getattr(obj, column)) for lang, column in columns}

    collect(page, "")
    for accessor in _translated_child_relations(type(page)):
        for position, child in enumerate(getattr(page, accessor).all()):
            collect(child, f"{accessor}.{position}.")
    return texts


def _digest(texts: dict[str, dict[str, str]], language: str) -> str:
    payload = json.dumps([(key, values[language]) for key, values in sorted(texts.items())], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _status(
    texts: dict[str, dict[str, str]],
    language: str,
    record: TranslationRecord | None,
    source_digest: str | None = None,
) -> TranslationStatus:
    """`source_digest` (the source text's `_digest`) may be passed when asking for several languages."""
    source = settings.SOURCE_LANGUAGE
    needed = [key for key, values in texts.items() if values[source]]
    missing = [key for key in needed if not texts[key][language]]
    translated = len(needed) - len(missing)
    if language == source:
        return TranslationStatus(language, State.COMPLETE, translated, len(needed), missing)
    if needed and translated == 0:
        return TranslationStatus(language, State.MISSING, 0, len(needed), missing)
    machine_made = record is None or record.machine_made
    stale = record is not None and record.source_digest != (source_digest or _digest(texts, source))
    if missing:
        state = State.PARTIAL
    elif machine_made or stale:
        state = State.NEEDS_REVIEW
    else:
        state = State.COMPLETE
    return TranslationStatus(language, state, translated, len(needed), missing, machine_made, stale)


def translation_status(page: Page, language: str) -> TranslationStatus:
    return translation_statuses(page)[language]


def translation_statuses(page: Page, records: list[TranslationRecord] | None = None) -> dict[str, TranslationStatus]:
    """Status in every language; pass `records` when reporting on many pages to avoid a query per page."""
    page = page.specific
    texts = translatable_texts(page)
    if records is None:
        records = list(TranslationRecord.objects.filter(page_id=page.pk))
    by_language = {record.language: record for record in records}
    source_digest = _digest(texts, settings.SOURCE_LANGUAGE) if by_language else None
    return {code: _status(texts, code, by_language.get(code), source_digest) for code, _name in settings.LANGUAGES}


def statuses_from_texts(page: Page) -> dict[str, TranslationStatus]:
    """Statuses judged by the page's texts alone: no translation records are read (no query).

    Enough for whatever asks only `has_language`, or "partial" versus "missing" (visitor pages: the language
    switcher, hreflang alternates, the fallback notice). The records only tell "complete" from "needs review",
    so here every language that has all its texts says "needs review".
    """
    texts = translatable_texts(page.specific)
    return {code: _status(texts, code, None) for code, _name in settings.LANGUAGES}


def records_by_page() -> dict[int, list[TranslationRecord]]:
    """Every translation record, grouped by page: one query for reports over the whole site."""
    grouped: dict[int, list[TranslationRecord]] = {}
    for record in TranslationRecord.objects.all():
        grouped.setdefault(record.page_id, []).append(record)
    return grouped


def record_translation_changes(page: Page) -> None:
    """After a save: a language whose text changed was (re)written against the current source text."""
    texts = translatable_texts(page)
    source_digest = _digest(texts, settings.SOURCE_LANGUAGE)
    records = {record.language: record for record in TranslationRecord.objects.filter(page_id=page.pk)}
    for code, _name in settings.LANGUAGES:
        if code == settings.SOURCE_LANGUAGE:
            continue
        if not any(values[code] for values in texts.values()):
            TranslationRecord.objects.filter(page_id=page.pk, language=code).delete()
            continue
        digest = _digest(texts, code)
        record = records.get(code)
        if record is None or record.translation_digest != digest:
            TranslationRecord.objects.update_or_create(
                page_id=page.pk,
                language=code,
                defaults={
                    "source_digest": source_digest,
                    "translation_digest": digest,
                    "machine_made": False,
                    "reviewed_by": None,
                    "reviewed_at": None,
                },
            )


def mark_machine_made(page: Page, languages: list[str]) -> None:
    """Flag translations nobody has checked yet (machine output, or demo text we wrote) as needing review."""
    TranslationRecord.objects.filter(page_id=page.pk, language__in=languages).update(machine_made=True)


def mark_reviewed(page: Page, language: str, user: AbstractBaseUser | None) -> None:
    """Staff confirm the translation matches today's source text."""
    texts = translatable_texts(page.specific)
    TranslationRecord.objects.update_or_create(
        page_id=page.pk,
        language=language,
        defaults={
            "source_digest": _digest(texts, settings.SOURCE_LANGUAGE),
            "translation_digest": _digest(texts, language),
            "machine_made": False,
            "reviewed_by": user,
            "reviewed_at": timezone.now(),
        },
    )
