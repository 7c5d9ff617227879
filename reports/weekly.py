"""The weekly report: every figure the daily rollups can answer for one ISO week (or any period), with the
comparisons marketers expect, progress toward the city's KPI targets and a data-quality box.

Everything is read through `analytics.queries`, so a figure here means what it means in the stats API.
Real and synthetic data are never mixed: `synthetic=True` reads only the simulated visitors.
The result is plain data (dataclasses of dicts and lists) for the dashboard, the email, the CSV and the PDF.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

from django.db.models import Max, Sum
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Page

from analytics.anonymous_ids import tokyo_day
from analytics.enrichment import Channel, Device
from analytics.models import Funnel, IntakeCount, Market, RollupDay
from analytics.queries import Period, breakdown, has_synthetic, market_of_countries, timeseries, totals
from translations.languages import match_language

from .models import Annotation, Kpi, KpiMonthlyValue, KpiTarget, year_bounds, year_of

HEADLINE = ("visitors", "sessions", "pageviews", "bounce_rate", "visit_duration_s", "views_per_visit",
            "conversions", "conversion_rate", "engaged_s_per_visitor")  # fmt: skip
RATES = {"bounce_rate", "conversion_rate"}  # changes in percentage points, not per cent
TOP = 10
TOP_PAGES = 5
MANY = 10_000


@dataclass
class WeeklyReport:
    period: Period
    language: str
    synthetic: bool
    iso_year: int | None = None
    iso_week: int | None = None
    market: str | None = None
    no_data: bool = False
    previous: Period | None = None
    last_year: Period | None = None
    headline: list[dict] = field(default_factory=list)
    daily: list[dict] = field(default_factory=list)
    target: dict | None = None
    markets: list[dict] = field(default_factory=list)
    countries: list[dict] = field(default_factory=list)
    language_fit: dict = field(default_factory=dict)
    top_pages: list[dict] = field(default_factory=list)
    funnels: list[dict] = field(default_factory=list)
    channels: list[dict] = field(default_factory=list)
    referrers: list[dict] = field(default_factory=list)
    campaigns: list[dict] = field(default_factory=list)
    goals: list[dict] = field(default_factory=list)
    devices: list[dict] = field(default_factory=list)
    searches: list[dict] = field(default_factory=list)
    searches_no_result: list[dict] = field(default_factory=list)
    not_found: list[dict] = field(default_factory=list)
    recommendations: list[dict] = field(default_factory=list)
    consent: list[dict] = field(default_factory=list)
    annotations: list[dict] = field(default_factory=list)
    quality: dict = field(default_factory=dict)
    offsite_kpis: list[dict] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.iso_week:
            return _("Week %(week)s of %(year)s") % {"week": self.iso_week, "year": self.iso_year}
        return f"{self.period.start:%Y-%m-%d} – {self.period.end:%Y-%m-%d}"

    def as_dict(self) -> dict:
        return asdict(self)


# -- periods and years ------------------------------------------------------------------------------------------


def iso_week_period(iso_year: int, iso_week: int) -> Period:
    start = dt.date.fromisocalendar(iso_year, iso_week, 1)
    return Period(start, start + dt.timedelta(days=6))


def same_week_last_year(iso_year: int, iso_week: int) -> Period:
    """The same ISO week a year earlier; week 53 of a year whose predecessor has 52 maps to week 52."""
    weeks = dt.date(iso_year - 1, 12, 28).isocalendar().week
    return iso_week_period(iso_year - 1, min(iso_week, weeks))


def parse_iso_week(value: str) -> tuple[int, int] | None:
    """(year, week) of text such as 2026-W47, or None if it names no ISO week."""
    match = re.fullmatch(r"(\d{4})-W(\d{1,2})", (value or "").strip())
    if not match:
        return None
    try:
        dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None
    return int(match[1]), int(match[2])


def last_complete_week(today: dt.date | None = None) -> tuple[int, int]:
    """The ISO week before the one containing `today` (Asia/Tokyo): what Monday's report is about."""
    day = (today or tokyo_day()) - dt.timedelta(days=7)
    iso = day.isocalendar()
    return iso.year, iso.week


def change(current, previous, points: bool = False) -> float | None:
    """Change against an earlier figure: per cent, or percentage points for rates; None if not comparable."""
    if current is None or previous is None:
        return None
    if points:
        return round(current - previous, 1)
    if not previous:
        return None
    return round((current - previous) / previous * 100, 1)


# -- KPI targets ------------------------------------------------------------------------------------------------


def progress(actual: int, target: int | None, start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """How far a yearly figure is toward its target on `as_of`, against a straight pro-rata line."""
    elapsed = max(0, min((as_of - start).days + 1, (end - start).days + 1))
    length = (end - start).days + 1
    expected = round(target * elapsed / length) if target else None
    return {
        "actual": actual,
        "target": target,
        "start": start,
        "end": end,
        "as_of": min(as_of, end),
        "elapsed_share": round(elapsed / length * 100, 1),
        "expected": expected,
        "share_of_target": round(actual / target * 100, 1) if target else None,
        "on_track": actual >= expected if expected is not None else None,
    }


def _target(kpi: Kpi, year: int) -> int | None:
    return KpiTarget.objects.filter(kpi=kpi, year=year).values_list("target", flat=True).first()


def site_kpi_progress(kpi: Kpi, as_of: dt.date, synthetic: bool = False) -> dict:
    """Page views of the KPI year (fiscal for the city's page-view KPI) up to `as_of`, against its target."""
    year = year_of(kpi.year_basis, as_of)
    start, end = year_bounds(kpi.year_basis, year)
    actual = totals(Period(start, min(as_of, end)), synthetic=synthetic)["pageviews"]
    return {"key": kpi.key, "name": kpi.name, "unit": kpi.unit, "year_basis": kpi.year_basis, "year": year,
            **progress(actual, _target(kpi, year), start, end, as_of)}  # fmt: skip


def entered_kpi_progress(kpi: Kpi, as_of: dt.date) -> dict:
    """Monthly values entered by staff for the KPI year up to `as_of`, against the target pro rata by the months
    entered so far (the city's statistics come weeks after the month ends, so the last entered month counts)."""
    year = year_of(kpi.year_basis, as_of)
    start, end = year_bounds(kpi.year_basis, year)
    months = []
    for value in KpiMonthlyValue.objects.filter(kpi=kpi, year__in=(year, year + 1)).order_by("year", "month"):
        if start <= value.first_day <= min(as_of, end):
            months.append({"year": value.year, "month": value.month, "value": value.value})
    actual = sum(month["value"] for month in months)
    if months:
        last = months[-1]
        through = (dt.date(last["year"], last["month"], 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
    else:
        through = start - dt.timedelta(days=1)
    result = progress(actual, _target(kpi, year), start, end, through)
    result["as_of"] = through if months else None
    return {"key": kpi.key, "name": kpi.name, "unit": kpi.unit, "year_basis": kpi.year_basis, "year": year,
            "months": months, **result}  # fmt: skip


# -- the report -------------------------------------------------------------------------------------------------


def build_weekly_report(
    iso_year: int, iso_week: int, language: str = "en", synthetic: bool = False, market: str | None = None
) -> WeeklyReport:
    period = iso_week_period(iso_year, iso_week)
    return build_report(
        period, language, synthetic, market=market, last_year=same_week_last_year(iso_year, iso_week),
        iso=(iso_year, iso_week),
    )  # fmt: skip


def build_report(
    period: Period, language: str = "en", synthetic: bool = False, market: str | None = None,
    last_year: Period | None = None, iso: tuple[int, int] | None = None,
) -> WeeklyReport:  # fmt: skip
    """The report of any period, compared with the period just before and the same period a year earlier
    (364 days earlier unless given, so weekdays line up). `market` narrows the headline and daily figures."""
    with translation.override(language):
        report = WeeklyReport(
            period=period, language=language, synthetic=synthetic, market=market,
            iso_year=iso[0] if iso else None, iso_week=iso[1] if iso else None,
            previous=period.shifted(-period.days), last_year=last_year or period.shifted(-364),
        )  # fmt: skip
        current = totals(period, synthetic, market=market)
        report.no_data = not (current["sessions"] or current["pageviews"] or current["events"])
        report.headline = _headline(report, current)
        report.daily = _daily(report)
        report.target = _page_view_target(period.end, synthetic)
        report.offsite_kpis = [entered_kpi_progress(kpi, period.end) for kpi in Kpi.objects.filter(source="entered")]
        report.annotations = _annotations(period)
        report.quality = _quality(period, synthetic)
        if report.no_data:
            return report
        report.markets = _markets(period, synthetic)
        report.countries = _rows(breakdown(period, "country", synthetic, limit=TOP))
        report.language_fit = _language_fit(period, synthetic)
        report.top_pages = _top_pages(period, synthetic)
        report.funnels = _funnels(period, synthetic)
        report.channels = [
            {**row, "label": _channel_label(row["key"])} for row in _rows(breakdown(period, "channel", synthetic))
        ]
        report.referrers = _rows(breakdown(period, "referrer", synthetic, limit=TOP))
        report.campaigns = _rows(breakdown(period, "campaign", synthetic, limit=TOP))
        report.goals = _rows(breakdown(period, "goal", synthetic, limit=TOP, order_by="events"))
        report.devices = [
            {**row, "label": _device_label(row["key"])} for row in _rows(breakdown(period, "device", synthetic))
        ]
        report.searches = _rows(breakdown(period, "search", synthetic, limit=TOP, order_by="events"))
        report.searches_no_result = _rows(
            breakdown(period, "search_no_result", synthetic, limit=TOP, order_by="events")
        )
        report.not_found = _rows(breakdown(period, "not_found", synthetic, limit=TOP, order_by="events"))
        report.recommendations = _recommendations(period, synthetic)
        report.consent = _consent(period, synthetic)
    return report


def _rows(rows: list[dict]) -> list[dict]:
    return [{key: row[key] for key in ("key", "key2", *HEADLINE, "events")} for row in rows]


def _headline(report: WeeklyReport, current: dict) -> list[dict]:
    previous = totals(report.previous, report.synthetic, market=report.market)
    last_year = totals(report.last_year, report.synthetic, market=report.market)
    return [
        {
            "metric": metric,
            "value": current[metric],
            "previous": previous[metric],
            "last_year": last_year[metric],
            "change_previous": change(current[metric], previous[metric], metric in RATES),
            "change_last_year": change(current[metric], last_year[metric], metric in RATES),
            "points": metric in RATES,
        }
        for metric in HEADLINE
    ]


def _daily_pageviews(period: Period, synthetic: bool, market: str | None) -> list[int]:
    if not market:
        return [day["pageviews"] for day in timeseries(period, synthetic)]
    days = [period.start + dt.timedelta(days=offset) for offset in range(period.days)]
    return [totals(Period(day, day), synthetic, market=market)["pageviews"] for day in days]


def _daily(report: WeeklyReport) -> list[dict]:
    current = _daily_pageviews(report.period, report.synthetic, report.market)
    previous = _daily_pageviews(report.previous, report.synthetic, report.market)
    return [
        {"day": report.period.start + dt.timedelta(days=offset), "pageviews": current[offset],
         "previous": previous[offset]}
        for offset in range(report.period.days)
    ]  # fmt: skip


def _page_view_target(as_of: dt.date, synthetic: bool) -> dict | None:
    kpi = Kpi.objects.filter(source=Kpi.Source.SITE_PAGEVIEWS).first()
    return site_kpi_progress(kpi, as_of, synthetic) if kpi else None


def _market_names() -> dict[str, str]:
    return dict(Market.objects.values_list("key", "name"))


def _markets(period: Period, synthetic: bool) -> list[dict]:
    names = _market_names()
    rows = _rows(breakdown(period, "market", synthetic, limit=MANY))
    total = sum(row["visitors"] for row in rows) or 1
    return [
        {**row, "name": names.get(row["key"], row["key"]), "share": round(row["visitors"] / total * 100, 1)}
        for row in rows
    ]


def _language_fit(period: Period, synthetic: bool) -> dict:
    """Sessions whose served language is the one the browser asked for, and page views served in fallback
    (the page was not translated into the visitor's language)."""
    pairs = breakdown(period, "lang_fit", synthetic, limit=MANY, order_by="sessions")
    rows, fitting, sessions = [], 0, 0
    for row in pairs:
        wanted = match_language(row["key"]) if row["key"] else None
        fits = wanted == row["key2"]
        sessions += row["sessions"]
        fitting += row["sessions"] if fits else 0
        rows.append({"browser_lang": row["key"] or "?", "lang": row["key2"], "wanted": wanted, "fits": fits,
                     "sessions": row["sessions"]})  # fmt: skip
    fallback_rows = breakdown(period, "page_fallback", synthetic, limit=MANY, order_by="pageviews")
    fallback = sum(row["pageviews"] for row in fallback_rows)
    pageviews = totals(period, synthetic)["pageviews"]
    by_lang: dict[str, int] = {}
    for row in fallback_rows:
        by_lang[row["key2"]] = by_lang.get(row["key2"], 0) + row["pageviews"]
    titles = _pages({int(row["key"]) for row in fallback_rows[:TOP] if row["key"].isdigit()})
    return {
        "pairs": rows[:TOP],
        "sessions": sessions,
        "fitting_sessions": fitting,
        "fit_rate": round(fitting / sessions * 100, 1) if sessions else None,
        "fallback_pageviews": fallback,
        "pageviews": pageviews,
        "fallback_rate": round(fallback / pageviews * 100, 1) if pageviews else None,
        "fallback_by_language": sorted(by_lang.items(), key=lambda item: -item[1]),
        "fallback_pages": [
            {
                "page": int(row["key"]),
                "lang": row["key2"],
                "pageviews": row["pageviews"],
                "title": titles.get(int(row["key"]), {}).get("title", row["key"]),
            }
            for row in fallback_rows[:TOP]
            if row["key"].isdigit()
        ],  # fmt: skip
    }


PAGE_KINDS = {"routepage": "route", "spotpage": "spot"}


def _pages(ids: set[int]) -> dict[int, dict]:
    """Titles (in the active language, with the site's fallbacks) and kinds of pages by id."""
    found = {}
    for page in Page.objects.filter(id__in=ids).specific():
        model = type(page)._meta.model_name
        found[page.pk] = {"title": page.title, "kind": PAGE_KINDS.get(model, "other"), "model": model}
    return found


def _top_pages(period: Period, synthetic: bool) -> list[dict]:
    """Per market: the most viewed routes and spots (all languages of a page together), biggest market first."""
    # page_market rows: key = market, key2 = page id
    rows = breakdown(period, "page_market", synthetic, limit=MANY, order_by="pageviews")
    pages = _pages({int(row["key2"]) for row in rows if row["key2"].isdigit()})
    names = _market_names()
    by_market: dict[str, dict] = {}
    for row in rows:
        page = pages.get(int(row["key2"])) if row["key2"].isdigit() else None
        market = by_market.setdefault(row["key"], {"key": row["key"], "name": names.get(row["key"], row["key"]),
                                                   "pageviews": 0, "route": [], "spot": []})  # fmt: skip
        market["pageviews"] += row["pageviews"]
        if page and page["kind"] in ("route", "spot") and len(market[page["kind"]]) < TOP_PAGES:
            market[page["kind"]].append({"page": int(row["key2"]), "title": page["title"],
                                         "pageviews": row["pageviews"], "visitors": row["visitors"]})  # fmt: skip
    return sorted(by_market.values(), key=lambda market: (-market["pageviews"], market["key"]))


def _funnels(period: Period, synthetic: bool) -> list[dict]:
    steps: dict[str, dict[int, int]] = {}
    for row in breakdown(period, "funnel", synthetic, limit=MANY):
        steps.setdefault(row["key"], {})[int(row["key2"])] = row["visitors"]
    result = []
    for funnel in Funnel.objects.all():
        reached = steps.get(funnel.key, {})
        first = reached.get(1, 0)
        result.append({
            "key": funnel.key, "name": funnel.name,
            "steps": [{"number": number, "step": step, "visitors": reached.get(number, 0),
                       "rate": round(reached.get(number, 0) / first * 100, 1) if first else None}
                      for number, step in enumerate(funnel.step_list(), start=1)],
        })  # fmt: skip
    return result


def _channel_label(key: str) -> str:
    labels = {
        Channel.DIRECT: _("Direct"), Channel.SEARCH: _("Search"), Channel.SOCIAL: _("Social"),
        Channel.REFERRAL: _("Referral"), Channel.EMAIL: _("Email"), Channel.PAID: _("Paid"),
        Channel.AI_ASSISTANT: _("AI assistant"), Channel.INTERNAL: _("Internal"),
    }  # fmt: skip
    return labels.get(int(key), key) if key.isdigit() else key


def _device_label(key: str) -> str:
    labels = {Device.UNKNOWN: _("Unknown"), Device.DESKTOP: _("Desktop"), Device.MOBILE: _("Mobile"),
              Device.TABLET: _("Tablet")}  # fmt: skip
    return labels.get(int(key), key) if key.isdigit() else key


def _events_by_market(period: Period, dimension: str, synthetic: bool) -> dict[str, int]:
    markets = market_of_countries()
    counts: dict[str, int] = {}
    for row in breakdown(period, dimension, synthetic, limit=MANY, order_by="events"):
        market = markets.get(row["key2"], "other")
        counts[market] = counts.get(market, 0) + row["events"]
    return counts


def _recommendations(period: Period, synthetic: bool) -> list[dict]:
    """Click-through of recommendations by market: clicks / impressions (events), in per cent."""
    impressions = _events_by_market(period, "rec_impression", synthetic)
    clicks = _events_by_market(period, "rec_click", synthetic)
    names = _market_names()
    rows = [
        {"key": market, "name": names.get(market, market), "impressions": impressions.get(market, 0),
         "clicks": clicks.get(market, 0),
         "ctr": round(clicks.get(market, 0) / impressions[market] * 100, 1) if impressions.get(market) else None}
        for market in set(impressions) | set(clicks)
    ]  # fmt: skip
    return sorted(rows, key=lambda row: (-row["impressions"], row["key"]))


def _consent(period: Period, synthetic: bool) -> list[dict]:
    """Consent rate by market: agreed / (agreed + declined) answers; withdrawals are shown beside it."""
    names = _market_names()
    answers: dict[str, dict[str, int]] = {}
    for row in breakdown(period, "consent_market", synthetic, limit=MANY, order_by="events"):
        answers.setdefault(row["key"], {})[row["key2"]] = row["events"]
    rows = []
    for market, counts in answers.items():
        agreed, declined = counts.get("agreed", 0), counts.get("declined", 0)
        rows.append({"key": market, "name": names.get(market, market), "agreed": agreed, "declined": declined,
                     "withdrawn": counts.get("withdrawn", 0), "answers": agreed + declined,
                     "rate": round(agreed / (agreed + declined) * 100, 1) if agreed + declined else None})  # fmt: skip
    return sorted(rows, key=lambda row: (-row["answers"], row["key"]))


def _annotations(period: Period) -> list[dict]:
    overlapping = Annotation.objects.filter(start__lte=period.end).exclude(end__lt=period.start)
    overlapping = overlapping.exclude(end__isnull=True, start__lt=period.start)
    return [
        {"start": item.start, "end": item.last_day, "kind": item.kind, "kind_label": item.get_kind_display(),
         "text": item.text}
        for item in overlapping.order_by("start")
    ]  # fmt: skip


def _quality(period: Period, synthetic: bool) -> dict:
    counts = dict(
        IntakeCount.objects.filter(day__gte=period.start, day__lte=period.end)
        .values("kind")
        .annotate(total=Sum("count"))
        .values_list("kind", "total")
    )
    days = RollupDay.objects.filter(day__gte=period.start, day__lte=period.end, rolled_up_at__isnull=False)
    rolled = set(days.values_list("day", flat=True))
    missing = [period.start + dt.timedelta(days=n) for n in range(period.days)]
    missing = [day for day in missing if day not in rolled and day < tokyo_day()]
    return {
        "bots": counts.get(IntakeCount.Kind.BOT, 0),
        "rate_limited": counts.get(IntakeCount.Kind.RATE_LIMITED, 0),
        "late": counts.get(IntakeCount.Kind.LATE, 0),
        "last_rollup": days.aggregate(at=Max("rolled_up_at"))["at"],
        "last_day_rolled_up_at": days.filter(day=period.end).values_list("rolled_up_at", flat=True).first(),
        "days_not_rolled_up": missing,
        "synthetic_present": has_synthetic(period),
        "reading_synthetic": synthetic,
    }
