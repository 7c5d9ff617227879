"""The marketing dashboard in the Wagtail admin: the weekly report of a chosen ISO week (or date range)."""

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from analytics.models import Market
from analytics.queries import Period, QueryError

from . import charts
from .weekly import build_report, iso_week_period, last_complete_week, same_week_last_year

WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


def _week(value: str) -> tuple[int, int]:
    match = WEEK.match(value or "")
    if match:
        year, week = int(match[1]), int(match[2])
        try:
            dt.date.fromisocalendar(year, week, 1)
            return year, week
        except ValueError:
            pass
    return last_complete_week()


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("reports.view_dashboard"):
        raise PermissionDenied
    languages = dict(settings.WAGTAILADMIN_PERMITTED_LANGUAGES)
    language = request.GET.get("language") or (get_language() or "en")[:2]
    language = language if language in languages else "en"
    synthetic = request.GET.get("synthetic") == "1"
    markets = list(Market.objects.values_list("key", "name"))
    market = request.GET.get("market") if request.GET.get("market") in dict(markets) else None
    iso_year, iso_week = _week(request.GET.get("week", ""))
    start, end = _date(request.GET.get("from")), _date(request.GET.get("to"))
    error = None
    try:
        if start and end:
            report = build_report(Period(start, end), language, synthetic, market=market)
        else:
            report = build_report(
                iso_week_period(iso_year, iso_week), language, synthetic, market=market,
                last_year=same_week_last_year(iso_year, iso_week), iso=(iso_year, iso_week),
            )  # fmt: skip
    except QueryError as problem:
        error = str(problem)
        report = build_report(iso_week_period(iso_year, iso_week), language, synthetic, market=market)
    context = {
        "report": report,
        "error": error,
        "week_value": f"{iso_year}-W{iso_week:02d}",
        "markets": markets,
        "languages": list(languages.items()),
        "charts": _charts(report),
        "headline": [{**row, "label": _metric_label(row["metric"])} for row in report.headline],
    }
    return render(request, "reports/dashboard.html", context)


def _charts(report) -> dict:
    labels = [f"{day['day']:%m/%d}" for day in report.daily]
    result = {
        "daily": charts.line_chart(
            labels,
            [
                (_("This period"), [day["pageviews"] for day in report.daily], charts.BLUE),
                (_("Period before"), [day["previous"] for day in report.daily], charts.GREY),
            ],
            _("Page views per day"),
        ),
        "markets": charts.bar_chart([(m["name"], m["visitors"]) for m in report.markets], _("Visitors by market")),
        "devices": charts.bar_chart([(d["label"], d["sessions"]) for d in report.devices], _("Sessions by device")),
        "channels": charts.bar_chart([(c["label"], c["sessions"]) for c in report.channels], _("Sessions by channel")),
    }
    target = report.target
    if target:
        result["target"] = charts.progress_bar(
            target["actual"], target["expected"], target["target"], _("Page views toward the yearly target")
        )
    result["offsite"] = {
        kpi["key"]: charts.progress_bar(kpi["actual"], kpi["expected"], kpi["target"], kpi["name"])
        for kpi in report.offsite_kpis
    }
    return result


def _metric_label(metric: str) -> str:
    return {
        "visitors": _("Visitors"), "sessions": _("Visits"), "pageviews": _("Page views"),
        "bounce_rate": _("Bounce rate (%)"), "visit_duration_s": _("Visit duration (s)"),
        "views_per_visit": _("Views per visit"), "conversions": _("Conversions"),
        "conversion_rate": _("Conversion rate (%)"), "engaged_s_per_visitor": _("Engaged seconds per visitor"),
    }.get(metric, metric)  # fmt: skip
