"""What every form of the report shows besides the figures: metric labels and the charts, drawn once here for
the dashboard, the email, the PDF and the downloads alike."""

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from . import charts
from .weekly import WeeklyReport


def metric_label(metric: str) -> str:
    return {
        "visitors": _("Visitors"), "sessions": _("Visits"), "pageviews": _("Page views"),
        "bounce_rate": _("Bounce rate (%)"), "visit_duration_s": _("Visit duration (s)"),
        "views_per_visit": _("Views per visit"), "conversions": _("Conversions"),
        "conversion_rate": _("Conversion rate (%)"), "engaged_s_per_visitor": _("Engaged seconds per visitor"),
    }.get(metric, metric)  # fmt: skip


LOWER_IS_BETTER = {"bounce_rate"}


def _trend(metric: str, change: float | None) -> str:
    """CSS class of a change: "up" (good, green) or "down" (bad, red), whichever way is good for the metric."""
    if not change:
        return ""
    return "up" if (change > 0) != (metric in LOWER_IS_BETTER) else "down"


def report_charts(report: WeeklyReport) -> dict[str, charts.Chart]:
    """SVG charts by name (the name is also the email's content id); off-site KPIs as `offsite-<key>`."""
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
    }
    bars = {
        "markets": ([(m["name"], m["visitors"]) for m in report.markets], _("Visitors by market")),
        "devices": ([(d["label"], d["sessions"]) for d in report.devices], _("Sessions by device")),
        "channels": ([(c["label"], c["sessions"]) for c in report.channels], _("Sessions by channel")),
    }
    result.update({name: charts.bar_chart(items, label) for name, (items, label) in bars.items() if items})
    target = report.target
    if target and target["target"]:
        result["target"] = charts.progress_bar(
            target["actual"], target["expected"], target["target"], _("Page views toward the yearly target")
        )
    for kpi in report.offsite_kpis:
        if kpi["target"]:
            result[f"offsite-{kpi['key']}"] = charts.progress_bar(
                kpi["actual"], kpi["expected"], kpi["target"], kpi["name"]
            )
    return result


def report_context(report: WeeklyReport, chart_markup: dict[str, SafeString] | None = None) -> dict:
    """Template context of the report's sections; `chart_markup` stands in for the SVG charts (the email's
    <img> tags)."""
    shown = chart_markup if chart_markup is not None else report_charts(report)
    return {
        "report": report,
        "charts": shown,
        "headline": [
            {
                **row,
                "label": metric_label(row["metric"]),
                "trend_previous": _trend(row["metric"], row["change_previous"]),
                "trend_last_year": _trend(row["metric"], row["change_last_year"]),
            }
            for row in report.headline
        ],  # fmt: skip
        "offsite": [{**kpi, "chart": shown.get(f"offsite-{kpi['key']}", "")} for kpi in report.offsite_kpis],
    }
