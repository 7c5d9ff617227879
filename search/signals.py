"""The hook other apps use to hear about visitor searches, and what keeps the index in step with publishing."""

import logging
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from .indexing import index_page, pages_mentioning, remove_page
from .querylog import record_search

logger = logging.getLogger(__name__)

# Sent after a visitor's search (the first page of results only) with `term` (as typed), `language` and
# `result_count`, and nothing about the visitor. The analytics events connect here; so does the anonymous log.
site_search_performed = Signal()


def _safely(action: Callable[[Page], object], page: Page) -> None:
    """A failure to index must not stop an editor publishing: log it; `rebuild_search_index` repairs."""
    try:
        with transaction.atomic():
            action(page)
    except Exception:
        logger.exception("Search index not updated for page %s; run manage.py rebuild_search_index", page.pk)


def _index_mentions(page: Page) -> None:
    """A spot's name also appears in the routes that stop there and the festivals held there."""
    for mentioning in Page.objects.filter(pk__in=pages_mentioning(page)).live():
        index_page(mentioning)


@receiver(page_published)
def index_published_page(sender, instance: Page, **kwargs) -> None:
    _safely(index_page, instance)
    _safely(_index_mentions, instance)


@receiver(page_unpublished)
def remove_unpublished_page(sender, instance: Page, **kwargs) -> None:
    _safely(remove_page, instance)


# Deleted pages take their documents with them (ForeignKey with CASCADE). Private pages are not searchable:
@receiver([post_save, post_delete], sender=PageViewRestriction)
def reindex_restricted_pages(sender, instance: PageViewRestriction, **kwargs) -> None:
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        for descendant in page.get_descendants(inclusive=True).live():
            _safely(index_page, descendant)


@receiver(site_search_performed)
def log_search(sender, term: str, language: str, result_count: int, **kwargs) -> None:
    try:
        with transaction.atomic():
            record_search(term, language, result_count)
    except DatabaseError:  # the visitor still gets their results
        logger.warning("Search not logged", exc_info=True)
