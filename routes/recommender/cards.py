"""Every route card the site shows, per language, without touching the database per request.

Reading translated page rows, pictures and URLs took most of a request's time, for facts that change only when
content is published. So each language's table (every live route's card, each route's related routes, and the
theme and market names reasons quote) is built once per content generation (visitaizu.page_cache's key, bumped on
publish, unpublish, image, theme, market and ranking changes), kept in the shared cache for every process, and
memoised in this one. The recommendations endpoint and every card list rendered in a page (popular, related,
filtered and search suggestions, routes/includes/route_cards.html) read it, so both show the same card.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import translation

from visitaizu import page_cache

if TYPE_CHECKING:
    from wagtail.images.models import AbstractRendition as Rendition

RENDITION = "fill-480x270"
TABLE_SECONDS = 24 * 3600  # a new generation makes old tables unreachable; this only frees the memory


@dataclass(frozen=True)
class CardTable:
    # route id → {id, title, url, summary, duration, area, image, image_alt, image_width, image_height}
    cards: dict[int, dict[str, object]]
    related: dict[int, tuple[int, ...]]  # route id → its related routes, best first (routes.models.RelatedRoute)
    theme_names: dict[str, str]
    market_names: dict[str, str]

    def cards_for(self, route_ids: Iterable[int]) -> list[dict[str, object]]:
        """The cards of these routes in this order, leaving out any that is no longer live."""
        return [self.cards[pk] for pk in route_ids if pk in self.cards]


def build_table(language: str) -> CardTable:
    """Every live route's card in `language` (one query for the pages, one rendition lookup per image)."""
    from analytics.models import Market
    from content.models import Theme
    from routes.models import CARD_FIELDS, RelatedRoute, RoutePage

    with translation.override(language):
        pages = RoutePage.objects.live().select_related("hero_image", "area").only(*CARD_FIELDS, "hero_image", "area")
        renditions: dict[int, Rendition] = {}
        cards = {}
        for page in pages:
            image = page.hero_image
            if image is not None and image.pk not in renditions:
                renditions[image.pk] = image.get_rendition(RENDITION)
            rendition = renditions[image.pk] if image is not None else None
            cards[page.pk] = {
                "id": page.pk,
                "title": page.title,
                "url": page.get_url(None),  # relative on a single site, absolute where several share the database
                "summary": page.summary,
                "duration": page.duration_label(),
                "area": page.area.name if page.area else "",
                "image": rendition.url if rendition else "",
                "image_alt": image.default_alt_text if image is not None else "",
                "image_width": rendition.width if rendition else None,
                "image_height": rendition.height if rendition else None,
            }
        related: dict[int, list[int]] = {}
        for route_id, related_id in RelatedRoute.objects.values_list("route_id", "related_id"):  # by position
            related.setdefault(route_id, []).append(related_id)
        return CardTable(
            cards=cards,
            related={route_id: tuple(ids) for route_id, ids in related.items()},
            theme_names={theme.key: theme.name for theme in Theme.objects.all()},
            market_names={market.key: market.name for market in Market.objects.all()},
        )


def table(language: str) -> CardTable:
    """The card table of `language` for the current content generation (built once, then shared)."""
    return page_cache.shared_value(f"route-cards:{language}", lambda: build_table(language), seconds=TABLE_SECONDS)


def cards_for(route_ids: Iterable[int]) -> list[dict[str, object]]:
    """These routes' cards in the active language, in this order (see CardTable.cards_for)."""
    return table(translation.get_language()).cards_for(route_ids)
