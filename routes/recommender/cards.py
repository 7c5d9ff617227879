"""What the recommendations endpoint shows of each route, per language, without touching the database per request.

Reading translated page rows and resolving their URLs took most of a request's time, for facts that change only
when content is published. So each language's table (every live route's card, and the theme and market names
reasons quote) is built once per content generation (visitaizu.page_cache's key, bumped on publish, unpublish,
image, theme and market changes), kept in the shared cache for every process, and memoised in this one.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import translation

from visitaizu import page_cache

RENDITION = "fill-480x270"
TABLE_SECONDS = 24 * 3600  # a new generation makes old tables unreachable; this only frees the memory


@dataclass(frozen=True)
class CardTable:
    cards: dict[int, dict[str, object]]  # route id → {id, title, url, summary, image, image_alt}
    theme_names: dict[str, str]
    market_names: dict[str, str]


def build_table(language: str) -> CardTable:
    """Every live route's card in `language` (one query for the pages, one rendition lookup per image)."""
    from analytics.models import Market
    from content.models import Theme
    from routes.models import CARD_FIELDS, RoutePage

    with translation.override(language):
        pages = RoutePage.objects.live().select_related("hero_image").only(*CARD_FIELDS, "hero_image")
        images: dict[int, str] = {}
        cards = {}
        for page in pages:
            image = page.hero_image
            if image is not None and image.pk not in images:
                images[image.pk] = image.get_rendition(RENDITION).url
            cards[page.pk] = {
                "id": page.pk,
                "title": page.title,
                "url": page.get_url(None),  # relative on a single site, absolute where several share the database
                "summary": page.summary,
                "image": images[image.pk] if image is not None else "",
                "image_alt": image.alt_text if image is not None else "",
            }
        return CardTable(
            cards=cards,
            theme_names={theme.key: theme.name for theme in Theme.objects.all()},
            market_names={market.key: market.name for market in Market.objects.all()},
        )


def current_generation() -> int:
    """The content generation; after the cache was emptied, a new random one, so no process's memo matches it."""
    generation = cache.get(page_cache.GENERATION_KEY)
    if generation is None:
        cache.add(page_cache.GENERATION_KEY, secrets.randbits(48), None)
        generation = cache.get(page_cache.GENERATION_KEY, 0)
    return generation


class _Tables:
    """This process's tables by language, each with the generation it was built for."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tables: dict[str, tuple[int, CardTable]] = {}

    def get(self, language: str) -> CardTable:
        generation = current_generation()
        found = self.tables.get(language)
        if found is not None and found[0] == generation:
            return found[1]
        with self.lock:
            key = f"recommender:cards:{generation}:{language}"
            table = cache.get(key)
            if table is None:
                table = build_table(language)
                cache.set(key, table, TABLE_SECONDS)
            self.tables[language] = (generation, table)
        return table


tables = _Tables()
