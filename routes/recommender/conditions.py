"""Weather and crowding: providers report adjustments, serving re-ranks with them.

A provider is any class with `adjustments(now) -> list[Adjustment]`, named in RECOMMENDER_CONDITION_PROVIDERS.
`ManualConditions` reads what staff entered (Snippets → Manual conditions: "Heavy snow today", "Castle
crowded"); a weather or crowd-sensor feed can be added beside it without touching serving.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Adjustment:
    message: str  # in the visitor's language when the provider can, shown as the reason
    raise_themes: frozenset[str] = frozenset()
    lower_themes: frozenset[str] = frozenset()
    lower_spots: frozenset[int] = frozenset()
    strength: float = 0.5


class ConditionsProvider(Protocol):
    def adjustments(self, now: dt.datetime) -> list[Adjustment]: ...


class ManualConditions:
    """What staff say is happening now."""

    def adjustments(self, now: dt.datetime) -> list[Adjustment]:
        from routes.models import ManualCondition

        active = ManualCondition.objects.filter(starts_at__lte=now, ends_at__gt=now).prefetch_related(
            "raise_themes", "lower_themes"
        )
        return [
            Adjustment(
                message=condition.message,
                raise_themes=frozenset(theme.key for theme in condition.raise_themes.all()),
                lower_themes=frozenset(theme.key for theme in condition.lower_themes.all()),
                lower_spots=frozenset([condition.lower_spot_id] if condition.lower_spot_id else []),
                strength=condition.strength,
            )
            for condition in active
        ]


def current_adjustments(now: dt.datetime) -> list[Adjustment]:
    found: list[Adjustment] = []
    for path in settings.RECOMMENDER_CONDITION_PROVIDERS:
        found.extend(import_string(path)().adjustments(now))
    return found
