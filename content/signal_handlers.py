"""Anything that can change a visitor-facing page clears the page cache."""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from visitaizu import page_cache


def register_signal_handlers() -> None:
    from wagtail.images import get_image_model
    from wagtail.models import Page, Site

    from .models import Area, SiteAlert, Theme

    page_published.connect(page_cache.invalidate, dispatch_uid="page-cache-published")
    page_unpublished.connect(page_cache.invalidate, dispatch_uid="page-cache-unpublished")
    # A move changes URLs (and menus, breadcrumbs) without a publish.
    post_page_move.connect(page_cache.invalidate, dispatch_uid="page-cache-page-moved")
    post_delete.connect(page_cache.invalidate, sender=Page, dispatch_uid="page-cache-page-deleted")
    post_save.connect(SiteAlert.forget_cached, sender=SiteAlert, dispatch_uid="site-alerts-saved")
    post_delete.connect(SiteAlert.forget_cached, sender=SiteAlert, dispatch_uid="site-alerts-deleted")
    # Sites: the page cache keeps each host's site and home page for routing (page_cache.share_site_lookup).
    for model in (SiteAlert, Theme, Area, get_image_model(), Site):
        post_save.connect(page_cache.invalidate, sender=model, dispatch_uid=f"page-cache-save-{model.__name__}")
        post_delete.connect(page_cache.invalidate, sender=model, dispatch_uid=f"page-cache-delete-{model.__name__}")
