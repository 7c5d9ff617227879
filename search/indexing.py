"""Builds a page's search documents, one per language, from its text as a visitor of that language reads it."""

import html
import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.html import strip_tags
from modelcluster.fields import ParentalKey
from modelcluster.models import get_all_child_relations
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname
from wagtail.fields import RichTextField
from wagtail.models import Page

from translations.languages import fallback_chain, supported_languages
from translations.state import translation_statuses

from .models import PageType, SearchDocument
from .text import fold, romaji_key

PAGE_TYPES = {
    "routes.routepage": PageType.ROUTE,
    "routes.spotpage": PageType.SPOT,
    "events.eventpage": PageType.EVENT,
}
BOOST = {PageType.ROUTE: 3, PageType.SPOT: 2, PageType.EVENT: 2, PageType.PAGE: 1}
# Page fields that are not read as body text: the title has its own column; the rest are URLs or SEO.
NOT_BODY = {"title", "slug", "url_path", "seo_title", "search_description"}
MAX_BODY = 20_000
_BLOCK_END = re.compile(r"<br\s*/?>|</(p|h[1-6]|li|div|blockquote)>", re.IGNORECASE)


def plain_text(value: object, rich: bool = False) -> str:
    """Text as one line; rich text (HTML) without its tags. A "<" typed in plain text stays as typed."""
    text = str(value or "")
    if rich:
        text = html.unescape(strip_tags(_BLOCK_END.sub(" ", text)))
    return " ".join(text.split())


def _text_fields(model: type[models.Model]) -> list[tuple[str, bool]]:
    """The model's translated text fields in declaration order (summary before description), and which are rich."""
    try:
        translated = translator.get_options_for_model(model).all_fields
    except NotRegistered:
        return []
    return [
        (f.name, isinstance(f, RichTextField))
        for f in model._meta.fields
        if f.name in translated and f.name not in NOT_BODY
    ]


def is_searchable(page: Page) -> bool:
    return page.depth > 1 and page.live and not page.get_view_restrictions().exists()


def build_documents(page: Page) -> list[SearchDocument]:
    """The page's documents in every language; `page` must be the specific page."""
    page_type = PAGE_TYPES.get(page._meta.label_lower, PageType.PAGE)
    children = [child for relation in get_all_child_relations(page) for child in _rows(page, relation)]
    themes = list(page.themes.all()) if hasattr(page, "themes") else []
    area = getattr(page, "area", None)
    statuses = translation_statuses(page)
    names = _alias_names(page)
    # As written, and as romaji keys (long vowels and hyphens dropped) for the variants visitors type.
    alias_folded = "\n".join([fold(" ".join(names)), " ".join(romaji_key(name) for name in names)]) if names else ""

    documents = []
    for code in supported_languages():
        with translation.override(code):
            title = plain_text(page.title)[:255]
            body = " ".join(filter(None, _body_parts(page, children)))[:MAX_BODY]
            keywords = " ".join([theme.name for theme in themes] + ([area.name] if area else []))
        title_folded = fold(title)
        fallback = ""
        if not statuses[code].has_language:
            chain = [lang for lang in fallback_chain(code) if statuses[lang].has_language]
            fallback = chain[0] if chain else settings.SOURCE_LANGUAGE
        documents.append(
            SearchDocument(
                page=page,
                language=code,
                page_type=page_type,
                themes=f" {' '.join(theme.key for theme in themes)} " if themes else "",
                boost=BOOST[page_type],
                title=title,
                body=body,
                fallback_language=fallback,
                title_folded=title_folded[:255],
                alias_folded=alias_folded,
                haystack="\n".join([title_folded, alias_folded, fold(body), fold(keywords)]),
            )
        )
    return documents


def _rows(page: Page, relation) -> list[models.Model]:
    rows = getattr(page, relation.get_accessor_name()).all()
    return list(rows.select_related("spot") if any(f.name == "spot" for f in rows.model._meta.fields) else rows)


def _body_parts(page: Page, children: list[models.Model]) -> Iterable[str]:
    """Page texts, then each child row (a route's stops: the spot's name, then the row's own texts)."""
    for name, rich in _text_fields(type(page)):
        yield plain_text(getattr(page, name), rich)
    spot = getattr(page, "spot", None)
    if isinstance(spot, Page):
        yield plain_text(spot.title)
    for child in children:
        spot = getattr(child, "spot", None)
        if isinstance(spot, Page):
            yield plain_text(spot.title)
        for name, rich in _text_fields(type(child)):
            yield plain_text(getattr(child, name), rich)


def _alias_names(page: Page) -> list[str]:
    """The English title and the romaji slug: names every visitor may type, whatever their language."""
    names = [getattr(page, build_localized_fieldname("title", "en"), "") or ""]
    slug = getattr(page, build_localized_fieldname("slug", settings.SOURCE_LANGUAGE), "") or ""
    if slug.isascii():
        names.append(slug.replace("-", " "))
    return [name for name in names if name.strip()]


def index_page(page: Page) -> int:
    """Replace the page's documents with fresh ones (none when it is not live); returns how many were written."""
    fresh = Page.objects.filter(pk=page.pk).first()  # the published text, whatever the caller holds
    documents = build_documents(fresh.specific) if fresh is not None and is_searchable(fresh) else []
    with transaction.atomic():
        SearchDocument.objects.filter(page_id=page.pk).delete()
        SearchDocument.objects.bulk_create(documents)
    return len(documents)


def remove_page(page: Page) -> None:
    SearchDocument.objects.filter(page_id=page.pk).delete()


def pages_mentioning(page: Page) -> list[int]:
    """Pages whose documents contain this page's title: a festival held at a spot, routes that stop there."""
    ids: set[int] = set()
    for relation in type(page)._meta.get_fields(include_parents=False):
        if not (relation.auto_created and relation.one_to_many):
            continue
        model, field = relation.related_model, relation.field
        if issubclass(model, Page):
            ids.update(model.objects.filter(**{field.name: page.pk}).values_list("pk", flat=True))
            continue
        for parent_key in (f for f in model._meta.fields if isinstance(f, ParentalKey)):
            if issubclass(parent_key.related_model, Page):
                ids.update(model.objects.filter(**{field.name: page.pk}).values_list(parent_key.attname, flat=True))
    ids.discard(page.pk)
    return sorted(ids)


def rebuild_index(on_page: Callable[[Page], None] | None = None) -> int:
    """Rebuild every document at once; searches keep seeing the old index until the new one is committed.

    The rows are then written again in language order: a search reads one language's rows, and reads them
    about twice as fast when they lie together (measured with bench/search.py). Pages published later are
    appended; a nightly rebuild keeps the order.
    """
    pages = Page.objects.live().exclude(depth=1).specific().iterator(chunk_size=200)
    written = 0
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        batch: list[SearchDocument] = []
        for page in pages:
            if not page.get_view_restrictions().exists():
                batch.extend(build_documents(page))
            if on_page:
                on_page(page)
            if len(batch) >= 600:
                written += len(SearchDocument.objects.bulk_create(batch))
                batch = []
        written += len(SearchDocument.objects.bulk_create(batch))
        _store_in_language_order()
    return written


def _store_in_language_order() -> None:
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE search_reordered AS SELECT * FROM {table}")
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"INSERT INTO {table} SELECT * FROM search_reordered ORDER BY language, page_id")
        cursor.execute("DROP TABLE search_reordered")
