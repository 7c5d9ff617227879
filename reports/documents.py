"""The report as documents: an HTML page (email body or PDF source), PNG charts for email, a PDF, and the tables
as CSV files in a zip or as sheets of an XLSX workbook. All are drawn on the server from the same report data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html

from analytics.anonymous_ids import TOKYO

from .charts import Chart
from .presentation import report_charts, report_context
from .weekly import HEADLINE, WeeklyReport

PNG_SCALE = 2  # charts drawn at twice their size, so they stay sharp on high-density screens


def chart_pngs(charts: dict[str, Chart]) -> dict[str, bytes]:
    """Each SVG chart as PNG, by name (cairosvg draws with cairo, which Chromium's Debian package brings)."""
    import cairosvg

    return {name: cairosvg.svg2png(bytestring=svg.encode(), scale=PNG_SCALE) for name, svg in charts.items() if svg}


def render_html(report: WeeklyReport, *, for_pdf: bool = False, chart_markup: dict | None = None, **extra) -> str:
    """The whole report as one HTML document in the report's language."""
    with translation.override(report.language):
        context = {**report_context(report, chart_markup), "for_pdf": for_pdf, **extra}
        return render_to_string("reports/report_document.html", context)


def email_parts(report: WeeklyReport, **extra) -> tuple[str, str, dict[str, bytes]]:
    """(HTML, plain text, PNG images by content id) of the report's email; the HTML shows each chart by cid."""
    with translation.override(report.language):
        charts = report_charts(report)
        pngs = chart_pngs(charts)
        markup = {
            name: format_html(
                '<img src="cid:{}" alt="{}" width="560" style="max-width:100%;height:auto">',
                name, charts[name].label,
            )
            for name in pngs
        }  # fmt: skip
        html = render_html(report, chart_markup=markup, for_email=True, **extra)
        text = render_to_string("reports/report_email.txt", {**report_context(report, markup), **extra})
    return html, text, pngs


def render_pdf(report: WeeklyReport) -> bytes:
    """The report as PDF (WeasyPrint: Pango lays out the Japanese text with the system's Noto CJK fonts)."""
    from weasyprint import HTML

    return HTML(string=render_html(report, for_pdf=True)).write_pdf()


# -- tables -----------------------------------------------------------------------------------------------------


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[list]


BREAKDOWN_COLUMNS = ["key", "key2", *HEADLINE, "events"]


def _table(name: str, columns: list[str], items: list[dict]) -> Table:
    return Table(name, columns, [[item.get(column) for column in columns] for item in items])


def tables(report: WeeklyReport) -> list[Table]:
    """Every table of the report, one row per line, with the report's own keys as column names."""
    result = [
        Table("period", ["start", "end", "previous_start", "previous_end", "last_year_start", "last_year_end",
                         "language", "market", "synthetic", "no_data"],
              [[report.period.start, report.period.end, report.previous.start, report.previous.end,
                report.last_year.start, report.last_year.end, report.language, report.market or "",
                report.synthetic, report.no_data]]),
        _table("headline", ["metric", "value", "previous", "last_year", "change_previous", "change_last_year",
                            "points"], report.headline),
        _table("daily", ["day", "pageviews", "previous"], report.daily),
    ]  # fmt: skip
    progress_columns = ["key", "name", "year_basis", "year", "start", "end", "as_of", "actual", "target",
                        "expected", "share_of_target", "on_track"]  # fmt: skip
    result.append(_table("kpis", progress_columns, [report.target, *report.offsite_kpis] if report.target else
                                                   report.offsite_kpis))  # fmt: skip
    result.append(_table("markets", ["name", "share", *BREAKDOWN_COLUMNS], report.markets))
    for name in ("countries", "channels", "referrers", "campaigns", "goals", "devices", "searches",
                 "searches_no_result", "not_found"):  # fmt: skip
        columns = ["label", *BREAKDOWN_COLUMNS] if name in ("channels", "devices") else BREAKDOWN_COLUMNS
        result.append(_table(name, columns, getattr(report, name)))
    fit = report.language_fit
    result.append(_table("language_fit", ["browser_lang", "wanted", "lang", "fits", "sessions"], fit.get("pairs", [])))
    result.append(_table("fallback_pages", ["page", "title", "lang", "pageviews"], fit.get("fallback_pages", [])))
    result.append(
        Table("top_pages", ["market", "market_name", "kind", "page", "title", "pageviews", "visitors"],
              [[market["key"], market["name"], kind, page["page"], page["title"], page["pageviews"], page["visitors"]]
               for market in report.top_pages for kind in ("route", "spot") for page in market[kind]])
    )  # fmt: skip
    result.append(
        Table("funnels", ["funnel", "name", "number", "step", "visitors", "rate"],
              [[funnel["key"], funnel["name"], step["number"], step["step"], step["visitors"], step["rate"]]
               for funnel in report.funnels for step in funnel["steps"]])
    )  # fmt: skip
    result.append(_table("recommendations", ["key", "name", "impressions", "clicks", "ctr"], report.recommendations))
    result.append(_table("consent", ["key", "name", "agreed", "declined", "withdrawn", "answers", "rate"],
                         report.consent))  # fmt: skip
    result.append(_table("annotations", ["start", "end", "kind", "text"], report.annotations))
    quality = {**report.quality, "days_not_rolled_up": " ".join(map(str, report.quality["days_not_rolled_up"]))}
    result.append(Table("quality", ["item", "value"], [[key, value] for key, value in quality.items()]))
    return result


def _cell(value):
    """Dates as ISO text, aware datetimes in Tokyo time without zone (spreadsheets take no zones), None empty."""
    if isinstance(value, dt.datetime) and value.tzinfo:
        return value.astimezone(TOKYO).replace(tzinfo=None)
    return "" if value is None else value


def file_stem(report: WeeklyReport) -> str:
    label = (
        f"{report.iso_year}-W{report.iso_week:02d}" if report.iso_week else f"{report.period.start}_{report.period.end}"
    )
    suffix = "-synthetic" if report.synthetic else ""
    return f"visitaizu-report-{label}{'-' + report.market if report.market else ''}-{report.language}{suffix}"


def csv_zip(report: WeeklyReport) -> bytes:
    """One UTF-8 CSV (with a byte-order mark, so Excel reads Japanese right) per table, in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables(report):
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(table.columns)
            writer.writerows([[_cell(value) for value in row] for row in table.rows])
            archive.writestr(f"{table.name}.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()


def xlsx(report: WeeklyReport) -> bytes:
    """One sheet per table, the header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables(report):
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in table.rows:
            sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
