"""Anything that can change a visitor-facing page clears the page cache."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from visitaizu import page_cache


def register_signal_handlers() -> None:
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site

    from .models import Area, SiteAlert, Theme

    page_published.connect(page_cache.invalidate, dispatch_uid="page-cache-published")
    page_unpublished.connect(page_cache.invalidate, dispatch_uid="page-cache-unpublished")
    # A move changes URLs (and menus, breadcrumbs) without a publish.
    post_page_move.connect(page_cache.invalidate, dispatch_uid="page-cache-page-moved")
    post_delete.connect(page_cache.invalidate, sender=Page, dispatch_uid="page-cache-page-deleted")
    # Sites: the page cache keeps each host's site and home page for routing (page_cache.share_site_lookup).
    # Now and again once committed, so that nothing read in between (the old rows) is kept under the new generation.
    for model in (SiteAlert, Theme, Area, get_image_model(), Site):
        post_save.connect(_changing, sender=model, dispatch_uid=f"page-cache-save-{model.__name__}")
        post_delete.connect(_changing, sender=model, dispatch_uid=f"page-cache-delete-{model.__name__}")
    # Restrictions: cached pages never include private ones, but a page cached before it became private would
    # be; and page_cache.any_view_restrictions lets serving skip Wagtail's check while there are none.
    pre_save.connect(_changing, sender=PageViewRestriction, dispatch_uid="page-cache-restriction-save")
    pre_delete.connect(_changing, sender=PageViewRestriction, dispatch_uid="page-cache-restriction-del")


def _changing(**_kwargs) -> None:
    page_cache.invalidate()
    transaction.on_commit(page_cache.invalidate)
