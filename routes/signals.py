"""Related routes are ranked when routes change, not when a route is shown; the recommender's tables follow
market edits."""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move


def register_signal_handlers() -> None:
    from analytics.models import CountryMarket, Market
    from content.models import Area, Theme
    from visitaizu import page_cache

    from .models import RelatedRoute, RoutePage

    rank = RelatedRoute.rank_around
    page_published.connect(rank, sender=RoutePage, dispatch_uid="related-routes-published")
    page_unpublished.connect(rank, sender=RoutePage, dispatch_uid="related-routes-unpublished")
    post_page_move.connect(rank, sender=RoutePage, dispatch_uid="related-routes-moved")
    # A deleted route's rows are gone with it, and deleting a theme or an area changes what routes share without
    # touching their pages: rank them all (rare).
    for model in (RoutePage, Theme, Area):
        post_delete.connect(RelatedRoute.rank_all, sender=model, dispatch_uid=f"related-routes-delete-{model.__name__}")
    # The recommender's catalogue and card tables hold market names and countries, keyed on the page-cache generation.
    for model in (Market, CountryMarket):
        post_save.connect(page_cache.invalidate, sender=model, dispatch_uid=f"recommender-save-{model.__name__}")
        post_delete.connect(page_cache.invalidate, sender=model, dispatch_uid=f"recommender-delete-{model.__name__}")
