"""Related routes are ranked when routes change, not when a route is shown."""

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move


def register_signal_handlers() -> None:
    from content.models import Area, Theme

    from .models import RelatedRoute, RoutePage

    rank = RelatedRoute.rank_around
    page_published.connect(rank, sender=RoutePage, dispatch_uid="related-routes-published")
    page_unpublished.connect(rank, sender=RoutePage, dispatch_uid="related-routes-unpublished")
    post_page_move.connect(rank, sender=RoutePage, dispatch_uid="related-routes-moved")
    # A deleted route's rows are gone with it, and deleting a theme or an area changes what routes share without
    # touching their pages: rank them all (rare).
    for model in (RoutePage, Theme, Area):
        post_delete.connect(RelatedRoute.rank_all, sender=model, dispatch_uid=f"related-routes-delete-{model.__name__}")
