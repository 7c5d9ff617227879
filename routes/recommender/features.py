"""Features of visitors and routes, as (name, weight) pairs: the same functions serve training and serving,
so a visitor is described to the live model exactly as visitors were described when it learned."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from analytics.models import CountryMarket

# A theme's market weight is a soft interest: strong enough to matter, weaker than the visitor's own choice.
PRIOR_SCALE = 0.5


@dataclass
class VisitorContext:
    """Everything serving may know of a visitor (DEVELOPERS.md): without consent, country, language and page."""

    country: str = ""
    lang: str = ""
    device: int = 0
    interests: list[str] = field(default_factory=list)
    travel_month: int | None = None
    party: str = ""
    profile_key: str | None = None  # "profile:<id>" of a consented visitor


def market_of(country: str, markets: dict[str, str] | None = None) -> str:
    if markets is None:
        markets = dict(CountryMarket.objects.values_list("country", "market__key"))
    return markets.get(country, "other")


def visitor_features(
    visitor: VisitorContext, markets: dict[str, str], priors: dict[str, dict[str, float]]
) -> list[tuple[str, float]]:
    market = market_of(visitor.country, markets)
    features = [(f"market:{market}", 1.0)]
    if visitor.country:
        features.append((f"country:{visitor.country}", 1.0))
    if visitor.lang:
        features.append((f"lang:{visitor.lang}", 1.0))
    if visitor.device:
        features.append((f"device:{visitor.device}", 1.0))
    themes = {theme: weight * PRIOR_SCALE for theme, weight in priors.get(market, {}).items() if weight > 0}
    for theme in visitor.interests:
        themes[theme] = 1.0
    features += [(f"theme:{theme}", weight) for theme, weight in sorted(themes.items())]
    if visitor.travel_month:
        features.append((f"month:{visitor.travel_month}", 1.0))
    if visitor.party:
        features.append((f"party:{visitor.party}", 1.0))
    return features


def duration_bucket(amount: Decimal, unit: str) -> str:
    hours = float(amount) * (24 if unit == "days" else 1)
    if unit == "days" and amount > 1:
        return "multi-day"
    return "short" if hours <= 3 else "half-day" if hours <= 6 else "day"


@dataclass(frozen=True)
class RouteFacts:
    """The few facts of a route the recommender uses, read once from the page."""

    pk: int
    themes: tuple[str, ...]
    area: str
    months: tuple[int, ...]
    duration: str
    price_level: int | None
    parties: tuple[str, ...]
    step_free: bool
    spots: tuple[int, ...]


def route_features(route: RouteFacts) -> list[tuple[str, float]]:
    features = [(f"theme:{theme}", 1.0) for theme in route.themes]
    if route.area:
        features.append((f"area:{route.area}", 1.0))
    features += [(f"month:{month}", 1.0) for month in route.months]
    features.append((f"duration:{route.duration}", 1.0))
    if route.price_level is not None:
        features.append((f"price:{route.price_level}", 1.0))
    features += [(f"party:{party}", 1.0) for party in route.parties]
    if route.step_free:
        features.append(("step-free", 1.0))
    return features


def live_routes() -> list[RouteFacts]:
    from routes.models import RoutePage, RouteStop

    pages = (
        RoutePage.objects.live()
        .select_related("area")
        .prefetch_related("themes")
        .only(
            "pk",
            "area__key",
            "best_months",
            "duration_amount",
            "duration_unit",
            "price_level",
            "party_fit",
            "step_free",
        )  # fmt: skip
    )
    spots: dict[int, list[int]] = {}
    for route_id, spot_id in RouteStop.objects.filter(spot__isnull=False).values_list("route_id", "spot_id"):
        spots.setdefault(route_id, []).append(spot_id)
    return [
        RouteFacts(
            pk=page.pk,
            themes=tuple(sorted(theme.key for theme in page.themes.all())),
            area=page.area.key if page.area else "",
            months=tuple(int(month) for month in (page.best_months or [])),
            duration=duration_bucket(page.duration_amount, page.duration_unit),
            price_level=page.price_level,
            parties=tuple(page.party_fit or []),
            step_free=bool(page.step_free),
            spots=tuple(spots.get(page.pk, [])),
        )
        for page in pages
    ]


def market_priors() -> dict[str, dict[str, float]]:
    """{market key: {theme key: weight}} from the staff-edited market preferences."""
    from routes.models import ThemeWeight

    priors: dict[str, dict[str, float]] = {}
    for market, theme, weight in ThemeWeight.objects.values_list("preference__market__key", "theme__key", "weight"):
        priors.setdefault(market, {})[theme] = weight
    return priors
