"""Top routes for one visitor, in well under a millisecond: numpy over vectors prepared when the model loads.

Every process loads the live model from Django's storage (so all machines serve the same version) and rebuilds its
route vectors when the model or the published content changes. With no model (fresh install, failed training)
the ranking is per-market popularity from the rollups, then the market's preferences.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.utils import timezone

from analytics.anonymous_ids import TOKYO

from .conditions import Adjustment, current_adjustments
from .features import RouteFacts, VisitorContext, live_routes, market_of, market_priors
from .models import RecommendationPin, TrainedModel
from .training import Artifact, history_vector, load_artifact, user_feature_list, with_history

RECHECK_SECONDS = 30
INTEREST_BOOST = 0.5
# On a route page, routes sharing its themes move up by this share of the score range times their theme overlap
# (cosine, 0–1): the visitor is looking at this kind of route now, whatever their market usually prefers, so a
# route sharing half its themes or more goes above every unrelated one; among them the visitor's own scores decide.
RELATED_BOOST = 2.0
RELATED_REASON = 0.5  # the overlap from which "like this route" is the reason given (below it, a shared theme or
# two is not what placed the route)
LIVE_KEY = "recommender:live-model"


@dataclass(frozen=True)
class Recommendation:
    route: int
    score: float
    reason: str  # pinned, interest, condition, history, related, market, season, popular
    detail: str = ""  # campaign, theme key, message, theme key shared with the page, market key or month


@dataclass
class Catalogue:
    model_id: int | None
    artifact: Artifact | None
    routes: list[RouteFacts]
    route_ids: np.ndarray
    items: np.ndarray | None
    biases: np.ndarray | None
    in_season: np.ndarray  # (13, routes): month → in season (index 0 unused)
    theme_mask: dict[str, np.ndarray]
    theme_rows: np.ndarray  # (routes, themes): each route's themes, unit length, so rows @ row is their overlap
    column_of: dict[int, int]  # route id → column
    spot_mask: dict[int, np.ndarray]
    markets: dict[str, str]
    priors: dict[str, dict[str, float]]
    popularity: dict[str, dict[int, float]]
    histories: dict[str, dict[int, float]]  # consented profiles the model learned from → their routes
    popular_in: dict[str, frozenset[int]] = field(default_factory=dict)  # market → its top third (reasons)

    def popular_with(self, market: str) -> frozenset[int]:
        """The routes the market's popularity table ranks in its top third (at least 3): computed once."""
        found = self.popular_in.get(market)
        if found is None:
            table = self.popularity.get(market, {})
            ranked = sorted(table, key=table.get, reverse=True)
            found = self.popular_in[market] = frozenset(ranked[: max(3, len(ranked) // 3)])
        return found


def _live_model() -> TrainedModel | None:
    found = cache.get(LIVE_KEY)
    if found is None:
        found = TrainedModel.objects.filter(status=TrainedModel.Status.LIVE).first() or False
        cache.set(LIVE_KEY, found, RECHECK_SECONDS)
    return found or None


def _rollup_popularity() -> dict[str, dict[int, float]]:
    """Page views by market over the last four weeks (real data; synthetic only where the demo has nothing else)."""
    from django.conf import settings

    from analytics.queries import Period, breakdown

    today = timezone.now().astimezone(TOKYO).date()
    period = Period(today - dt.timedelta(days=28), today)
    rows = breakdown(period, "page_market", limit=10_000, order_by="pageviews")
    if not rows and settings.RECOMMENDER_USE_SYNTHETIC:
        rows = breakdown(period, "page_market", synthetic=True, limit=10_000, order_by="pageviews")
    table: dict[str, dict[int, float]] = {"*": {}}
    for row in rows:
        if row["key2"].isdigit():
            page = int(row["key2"])
            table.setdefault(row["key"], {})[page] = float(row["pageviews"])
            table["*"][page] = table["*"].get(page, 0.0) + row["pageviews"]
    return table


def build_catalogue(record: TrainedModel | None) -> Catalogue:
    from analytics.models import CountryMarket

    artifact = None
    if record is not None:
        try:
            artifact = load_artifact(record)
        except (OSError, ValueError, KeyError):
            artifact = None  # a missing or broken file: serve popularity rather than fail
    routes = live_routes()
    route_ids = np.array([route.pk for route in routes], dtype=np.int64)
    items = biases = None
    if artifact is not None and routes:
        items, biases = artifact.item_matrix(routes)
    in_season = np.ones((13, len(routes)), dtype=bool)
    for column, route in enumerate(routes):
        if route.months:
            in_season[:, column] = False
            in_season[list(route.months), column] = True
    theme_mask: dict[str, np.ndarray] = {}
    spot_mask: dict[int, np.ndarray] = {}
    for column, route in enumerate(routes):
        for theme in route.themes:
            theme_mask.setdefault(theme, np.zeros(len(routes), dtype=bool))[column] = True
        for spot in route.spots:
            spot_mask.setdefault(spot, np.zeros(len(routes), dtype=bool))[column] = True
    theme_rows = np.zeros((len(routes), max(len(theme_mask), 1)), dtype=np.float32)
    for position, theme in enumerate(sorted(theme_mask)):
        theme_rows[:, position] = theme_mask[theme]
    theme_rows /= np.maximum(np.linalg.norm(theme_rows, axis=1, keepdims=True), 1e-9)
    return Catalogue(
        model_id=record.pk if artifact is not None else None,
        artifact=artifact,
        routes=routes,
        route_ids=route_ids,
        items=items,
        biases=biases,
        in_season=in_season,
        theme_mask=theme_mask,
        theme_rows=theme_rows,
        column_of={route.pk: column for column, route in enumerate(routes)},
        spot_mask=spot_mask,
        markets=dict(CountryMarket.objects.values_list("country", "market__key")),
        priors=market_priors(),
        popularity=artifact.popularity if artifact is not None else _rollup_popularity(),
        histories=artifact.histories if artifact is not None else {},
    )


class _Loaded:
    """This process's catalogue, rebuilt when the live model or the published content changes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.key: tuple | None = None
        self.checked = 0.0
        self.catalogue: Catalogue | None = None
        self.extras: tuple[float, list[Adjustment], list] = (0.0, [], [])

    def get(self) -> Catalogue:
        now = time.monotonic()
        if self.catalogue is not None and now - self.checked < RECHECK_SECONDS:
            return self.catalogue
        from visitaizu import page_cache

        record = _live_model()
        key = (record.pk if record else None, page_cache.current_generation())
        with self.lock:
            if self.catalogue is None or key != self.key:
                self.catalogue = build_catalogue(record)
                self.key = key
            self.checked = now
        return self.catalogue

    def conditions_and_pins(self, now: dt.datetime) -> tuple[list[Adjustment], list]:
        checked, adjustments, pins = self.extras
        if time.monotonic() - checked >= RECHECK_SECONDS:
            today = now.astimezone(TOKYO).date()
            adjustments = current_adjustments(now)
            pins = [
                (pin.route_id, pin.campaign, {market.key for market in pin.markets.all()})
                for pin in RecommendationPin.objects.filter(starts_on__lte=today, ends_on__gte=today)
                .prefetch_related("markets")
                .order_by("starts_on", "pk")
            ]
            self.extras = (time.monotonic(), adjustments, pins)
        return adjustments, pins

    def forget(self) -> None:
        """Tests, and staff saving a condition or pin, want the next request to see the change."""
        self.catalogue, self.key, self.checked, self.extras = None, None, 0.0, (0.0, [], [])
        cache.delete(LIVE_KEY)


loaded = _Loaded()


def recommend(
    visitor: VisitorContext,
    k: int = 10,
    exclude: tuple[int, ...] = (),
    now: dt.datetime | None = None,
    near: int | None = None,
) -> list[Recommendation]:
    """The visitor's top `k` live routes, each with the honest reason it is there.

    `near` is the route whose page the visitor is on (context any visitor may give, consent or not): routes that
    share its themes move up."""
    catalogue = loaded.get()
    if not catalogue.routes:
        return []
    now = now or timezone.now()
    adjustments, pins = loaded.conditions_and_pins(now)
    market = market_of(visitor.country, catalogue.markets)
    month = visitor.travel_month or now.astimezone(TOKYO).month
    history = None
    if catalogue.artifact is not None:
        features = user_feature_list(visitor, catalogue.markets, catalogue.priors, catalogue.histories)
        vector = catalogue.artifact.user_vector(features)
        scores = catalogue.items @ vector + catalogue.biases
        history = catalogue.histories.get(visitor.profile_key) if visitor.profile_key else None
        if history:
            seen = history_vector(history, catalogue.column_of, len(catalogue.routes))
            scores = with_history(scores, seen)
    else:
        table = catalogue.popularity.get(market) or catalogue.popularity.get("*", {})
        weights = catalogue.priors.get(market, {})
        # popularity first; the market's preferences only break ties (and rank routes nobody has seen yet)
        scores = np.array(
            [table.get(r.pk, 0.0) + sum(weights.get(t, 0.0) for t in r.themes) * 1e-3 for r in catalogue.routes],
            dtype=np.float32,
        )
    spread = float(scores.max() - scores.min()) or 1.0
    # What a consented visitor told us they like counts directly, not only through what the model learned of
    # such visitors (few ever say): routes with one of their themes move up by half the score range.
    liked = np.zeros(len(scores), dtype=bool)
    for theme in visitor.interests:
        mask = catalogue.theme_mask.get(theme)
        if mask is not None:
            liked |= mask
    scores = scores + liked * (INTEREST_BOOST * spread)
    near_column = catalogue.column_of.get(near) if near is not None else None
    overlap, near_themes = None, ()
    if near_column is not None:
        overlap = catalogue.theme_rows @ catalogue.theme_rows[near_column]
        scores = scores + overlap * (RELATED_BOOST * spread)
        near_themes = catalogue.routes[near_column].themes
    raised = np.zeros(len(scores), dtype=bool)
    raised_by: dict[int, str] = {}
    for adjustment in adjustments:
        for theme in adjustment.raise_themes:
            mask = catalogue.theme_mask.get(theme)
            if mask is not None:
                scores = scores + mask * (adjustment.strength * 2 * spread)
                for column in np.flatnonzero(mask & ~raised):
                    raised_by[int(column)] = adjustment.message
                raised |= mask
        for theme in adjustment.lower_themes:
            mask = catalogue.theme_mask.get(theme)
            if mask is not None:
                scores = scores - mask * (adjustment.strength * 2 * spread)
        for spot in adjustment.lower_spots:
            mask = catalogue.spot_mask.get(spot)
            if mask is not None:
                scores = scores - mask * (adjustment.strength * 2 * spread)
    allowed = catalogue.in_season[month].copy()
    if exclude:
        allowed &= ~np.isin(catalogue.route_ids, exclude)
    scores = np.where(allowed, scores, -np.inf)
    pinned = [
        (route, campaign) for route, campaign, markets in pins
        if (not markets or market in markets) and route in catalogue.route_ids and route not in exclude
    ]  # fmt: skip
    pinned_ids = {route for route, _ in pinned}
    results = [Recommendation(route, float("inf"), "pinned", campaign) for route, campaign in pinned][:k]
    count = min(k + len(pinned_ids), int(np.isfinite(scores).sum()))
    if count > 0:
        top = np.argpartition(-scores, count - 1)[:count]
        for column in top[np.argsort(-scores[top], kind="stable")]:
            route = catalogue.routes[column]
            if route.pk in pinned_ids or len(results) >= k:
                continue
            like = near_themes if overlap is not None and overlap[column] >= RELATED_REASON else ()
            results.append(_explained(route, int(column), float(scores[column]), visitor, market, month,
                                      raised_by, like, history or {}, catalogue))  # fmt: skip
    return results


def _explained(route, column, score, visitor, market, month, raised_by, like, history, catalogue) -> Recommendation:
    liked = [theme for theme in visitor.interests if theme in route.themes]
    if liked:
        return Recommendation(route.pk, score, "interest", liked[0])
    if column in raised_by:
        return Recommendation(route.pk, score, "condition", raised_by[column])
    if route.pk in history:
        return Recommendation(route.pk, score, "history")
    shared = [theme for theme in route.themes if theme in like]
    if shared:  # named by the rarest shared theme: "snow" says more than "history", which most routes have
        rarest = min(shared, key=lambda theme: (int(catalogue.theme_mask[theme].sum()), theme))
        return Recommendation(route.pk, score, "related", rarest)
    if route.pk in catalogue.popular_with(market):
        return Recommendation(route.pk, score, "market", market)
    if month in route.months:
        return Recommendation(route.pk, score, "season", str(month))
    return Recommendation(route.pk, score, "popular")


POPULAR_KEY = "recommender:popular-routes"


def popular_route_ids(k: int = 6) -> list[int]:
    """The routes most viewed over four weeks by everyone: what a page shows before (or without) JavaScript.

    From the rollups, cached for ten minutes in the shared cache; new sites with no data get tree order.
    """
    ids = cache.get(POPULAR_KEY)
    if ids is None:
        from .features import live_routes

        live = [route.pk for route in live_routes()]
        table = _rollup_popularity().get("*", {})
        ids = sorted(live, key=lambda pk: -table.get(pk, 0.0))  # stable: ties stay in tree order
        cache.set(POPULAR_KEY, ids, 600)
    return ids[:k]


def popular_routes(k: int = 6, exclude: int | None = None) -> list[dict[str, object]]:
    """Cards of the most popular routes, most popular first (see popular_route_ids), in the active language."""
    from .cards import cards_for

    return cards_for([pk for pk in popular_route_ids(k + 1) if pk != exclude][:k])
