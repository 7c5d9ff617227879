"""Reading the rollups: totals, breakdowns and daily series, with ratios computed here and never stored.

The stats API, the CSV export and (later) the dashboard and weekly report all read through this module, so a
figure means the same everywhere. Real and synthetic data are read separately, never summed together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, CharField, Sum, Value, When

from .models import CountryMarket, DailyRollup, Market

SUMS = (
    "visitors", "sessions", "bounces", "duration_s", "pageviews", "entries", "events", "conversions",
    "engaged_ms", "scroll_sum", "scroll_count",
)  # fmt: skip

# Dimensions a breakdown can be asked for, and where a country filter applies in each:
# "key" (the row's key is a country), "key2" (its second key is), or the dimension to read instead.
DIMENSIONS = {
    "site": "country",
    "channel": None, "referrer": None, "campaign": None, "source": None, "browser_lang": None, "lang": None,
    "lang_fit": None, "device": None, "browser": None, "os": None, "entry_page": None,
    "country": "key",
    "page": "page_country",
    "page_country": "key2", "page_lang": None, "page_fallback": None,
    "goal": None, "search": None, "search_no_result": None, "not_found": None, "language_switch": None,
    "save": "key2", "rec_impression": "key2", "rec_click": "key2", "rec_click_route": "key2",
    "consent": "key", "funnel": None,
}  # fmt: skip
MARKET_DIMENSIONS = {"market": "country", "page_market": "page_country", "consent_market": "consent"}
SUMMED = {name: Sum(name) for name in SUMS}
GROUPING_WORK_MEM = "16MB"  # PostgreSQL memory to hash pages × markets (see _market_breakdown)


class QueryError(ValueError):
    """A question the rollups cannot answer; the message says which parameter and why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def __post_init__(self):
        if self.end < self.start:
            raise QueryError("to", "is before from")
        if (self.end - self.start).days > 3660:
            raise QueryError("to", "periods are limited to ten years")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, days: int) -> Period:
        return Period(self.start + dt.timedelta(days=days), self.end + dt.timedelta(days=days))


def ratios(sums: dict) -> dict:
    """Plausible's derived metrics from additive sums (None where the denominator is zero)."""

    def div(a, b, scale=1.0):
        return round(a / b * scale, 4) if b else None

    return {
        **sums,
        "bounce_rate": div(sums["bounces"], sums["sessions"], 100),
        "visit_duration_s": div(sums["duration_s"], sums["sessions"]),
        "views_per_visit": div(sums["pageviews"], sums["sessions"]),
        "conversion_rate": div(sums["conversions"], sums["sessions"], 100),
        "scroll_depth": div(sums["scroll_sum"], sums["scroll_count"]),
        "engaged_s_per_visitor": div(sums["engaged_ms"], sums["visitors"], 0.001),
    }


def market_of_countries() -> dict[str, str]:
    return dict(CountryMarket.objects.values_list("country", "market__key"))


def countries_of_market(market: str) -> list[str] | None:
    """Countries in a market; for "other", None (meaning: every country not in another market)."""
    if not Market.objects.filter(key=market).exists():
        raise QueryError("market", f"unknown market {market!r}")
    if market == "other":
        return None
    return list(CountryMarket.objects.filter(market__key=market).values_list("country", flat=True))


def _rows(period: Period, dimension: str, synthetic: bool, site: int | None):
    rows = DailyRollup.objects.filter(
        dimension=dimension, day__gte=period.start, day__lte=period.end, synthetic=synthetic
    )
    return rows.filter(site=site) if site is not None and dimension != "consent" else rows


def _country_filter(rows, column: str, country: str | None, market: str | None):
    if country:
        return rows.filter(**{column: country.upper()})
    if market:
        countries = countries_of_market(market)
        if countries is None:
            return rows.exclude(**{f"{column}__in": list(market_of_countries())})
        return rows.filter(**{f"{column}__in": countries})
    return rows


def _filtered(period, dimension, synthetic, site, country, market):
    where = DIMENSIONS[dimension]
    if not (country or market):
        return _rows(period, dimension, synthetic, site)
    if where is None:
        raise QueryError("country", f"the {dimension} breakdown cannot be filtered by country or market")
    if where in ("key", "key2"):
        return _country_filter(_rows(period, dimension, synthetic, site), where, country, market)
    column = DIMENSIONS[where]  # read a per-country dimension instead (site → country, page → page_country)
    return _country_filter(_rows(period, where, synthetic, site), column, country, market)


def totals(
    period: Period, synthetic: bool = False, site: int | None = None, country: str | None = None,
    market: str | None = None,
) -> dict:  # fmt: skip
    rows = _filtered(period, "site", synthetic, site, country, market)
    sums = rows.aggregate(**{name: Sum(name) for name in SUMS})
    return ratios({name: sums[name] or 0 for name in SUMS})


def breakdown(
    period: Period, dimension: str, synthetic: bool = False, site: int | None = None, country: str | None = None,
    market: str | None = None, limit: int = 100, order_by: str = "visitors",
) -> list[dict]:  # fmt: skip
    """Rows of a dimension over the period, biggest first; "market" dimensions group countries into markets."""
    if order_by not in SUMS:
        raise QueryError("order", f"must be one of {', '.join(SUMS)}")
    if dimension in MARKET_DIMENSIONS:
        return _market_breakdown(period, dimension, synthetic, site, limit, order_by)
    if dimension not in DIMENSIONS:
        raise QueryError("dimension", f"unknown; use one of {', '.join(sorted([*DIMENSIONS, *MARKET_DIMENSIONS]))}")
    rows = _filtered(period, dimension, synthetic, site, country, market)
    group = ("key", "key2") if DIMENSIONS[dimension] != "page_country" or not (country or market) else ("key",)
    grouped = rows.values(*group).annotate(**{name: Sum(name) for name in SUMS}).order_by(f"-{order_by}", *group)
    result = []
    for row in grouped[: max(1, min(limit, 10_000))]:
        result.append({"key": row["key"], "key2": row.get("key2", ""), **ratios({n: row[n] or 0 for n in SUMS})})
    return result


def _market_breakdown(period, dimension, synthetic, site, limit, order_by):
    """Countries are turned into markets in the query (countries in no market are "other"), which also sums,
    ranks and limits: one pass over the rows (a week of pages × countries is some 44,000)."""
    source = MARKET_DIMENSIONS[dimension]
    column = {"country": "key", "page_country": "key2", "consent": "key"}[source]
    other = {"country": None, "page_country": "key", "consent": "key2"}[source]  # the row's other key, if any
    countries: dict[str, list[str]] = {}
    for country, market in market_of_countries().items():
        countries.setdefault(market, []).append(country)
    market = Case(
        *(When(**{f"{column}__in": sorted(members)}, then=Value(key)) for key, members in sorted(countries.items())),
        default=Value("other"),
        output_field=CharField(),
    )
    group = ("market", other) if other else ("market",)
    grouped = (
        _rows(period, source, synthetic, site)
        .annotate(market=market)
        .values(*group)
        .annotate(**SUMMED)
        .order_by(f"-{order_by}", *group)[: max(1, min(limit, 10_000))]
    )
    if source != "page_country" or connection.vendor != "postgresql":
        return _market_rows(grouped, other)
    with transaction.atomic():
        # PostgreSQL guesses ten times the groups there are (each page × every market) and would sort them on disk
        # within the default 4 MB; given room to hash, pages × markets took 30-45 % less CPU for all groups (the
        # weekly report's call) and 15-20 % less for the first ten.
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{GROUPING_WORK_MEM}'")
        return _market_rows(grouped, other)


def _market_rows(grouped, other: str | None) -> list[dict]:
    return [
        {"key": row["market"], "key2": row[other] if other else "", **ratios({n: row[n] or 0 for n in SUMS})}
        for row in grouped
    ]


def timeseries(period: Period, synthetic: bool = False, site: int | None = None) -> list[dict]:
    """Daily totals (days with no data appear with zeros)."""
    by_day = {
        row["day"]: row
        for row in _rows(period, "site", synthetic, site).values("day").annotate(**{n: Sum(n) for n in SUMS})
    }
    series = []
    for offset in range(period.days):
        day = period.start + dt.timedelta(days=offset)
        row = by_day.get(day, {})
        series.append({"day": day.isoformat(), **ratios({n: row.get(n) or 0 for n in SUMS})})
    return series


def has_synthetic(period: Period) -> bool:
    return DailyRollup.objects.filter(day__gte=period.start, day__lte=period.end, synthetic=True).exists()
