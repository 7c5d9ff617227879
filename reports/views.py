"""The marketing dashboard in the Wagtail admin (the report of a chosen ISO week or date range), its downloads,
the UTM link builder, and the public one-click unsubscribe link of the weekly email."""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from analytics.models import Market
from analytics.queries import Period, QueryError

from . import documents
from .forms import UtmForm
from .mailing import recipient_for_token
from .models import UtmCampaign
from .presentation import report_context
from .weekly import (
    WeeklyReport,
    build_report,
    iso_week_period,
    last_complete_week,
    parse_iso_week,
    same_week_last_year,
)

FILTERS = ("week", "from", "to", "market", "language", "synthetic")


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _require_marketer(request: HttpRequest) -> None:
    if not request.user.has_perm("reports.view_dashboard"):
        raise PermissionDenied


def _report_for(request: HttpRequest) -> tuple[WeeklyReport, str | None, str]:
    """The report the filters in the query string ask for: (report, error, ISO week shown in the form)."""
    languages = dict(settings.WAGTAILADMIN_PERMITTED_LANGUAGES)
    language = request.GET.get("language") or (get_language() or "en")[:2]
    language = language if language in languages else "en"
    synthetic = request.GET.get("synthetic") == "1"
    market = request.GET.get("market") or None
    market = market if market and Market.objects.filter(key=market).exists() else None
    iso_year, iso_week = parse_iso_week(request.GET.get("week", "")) or last_complete_week()
    start, end = _date(request.GET.get("from")), _date(request.GET.get("to"))
    week_args = {"last_year": same_week_last_year(iso_year, iso_week), "iso": (iso_year, iso_week)}
    error = None
    try:
        if start and end:
            report = build_report(Period(start, end), language, synthetic, market=market)
        else:
            report = build_report(iso_week_period(iso_year, iso_week), language, synthetic, market=market, **week_args)
    except QueryError as problem:
        error = str(problem)
        report = build_report(iso_week_period(iso_year, iso_week), language, synthetic, market=market, **week_args)
    return report, error, f"{iso_year}-W{iso_week:02d}"


def dashboard(request: HttpRequest) -> HttpResponse:
    _require_marketer(request)
    report, error, week_value = _report_for(request)
    with translation.override(report.language):  # the whole page in the language chosen for the report
        context = {
            **report_context(report),
            "error": error,
            "week_value": week_value,
            "markets": list(Market.objects.values_list("key", "name")),
            "languages": list(settings.WAGTAILADMIN_PERMITTED_LANGUAGES),
            "query": urlencode({key: request.GET[key] for key in FILTERS if request.GET.get(key)}),
        }
        return render(request, "reports/dashboard.html", context)


DOWNLOADS = {
    "pdf": (documents.render_pdf, "application/pdf", "pdf"),
    "xlsx": (documents.xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": (documents.csv_zip, "application/zip", "zip"),
}


def download(request: HttpRequest, kind: str) -> HttpResponse:
    """The dashboard's report, with the same filters, as PDF, XLSX or a zip of CSV files."""
    _require_marketer(request)
    if kind not in DOWNLOADS:
        raise Http404
    make, content_type, extension = DOWNLOADS[kind]
    report, error, _week_value = _report_for(request)
    if error:  # a file of another period than the one asked for would mislead
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    response = HttpResponse(make(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{documents.file_stem(report)}.{extension}"'
    return response


def utm_builder(request: HttpRequest) -> HttpResponse:
    _require_marketer(request)
    form, link, saved = UtmForm(request.POST or None), None, None
    if request.method == "POST" and form.is_valid():
        link = form.link()
        data = form.cleaned_data
        if data["save"]:
            saved = UtmCampaign.objects.create(
                destination=data["destination"], source=data["source"], medium=data["medium"],
                campaign=data["campaign"], content=data["content"], term=data["term"], note=data["note"],
            )  # fmt: skip
    recent = UtmCampaign.objects.all()[:20]
    return render(request, "reports/utm_builder.html", {"form": form, "link": link, "saved": saved, "recent": recent})


@never_cache
@csrf_exempt  # RFC 8058 one-click: mail programs POST without a form; the signed token is the protection
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the signed link from the email says who. Opening the link (GET) only asks, because mail scanners
    open links in advance; the button on that page and a mail program's own unsubscribe button (RFC 8058) POST,
    which deactivates that recipient. Doing it twice is harmless."""
    recipient = recipient_for_token(token)
    if recipient is None:
        return render(request, "reports/unsubscribed.html", {"recipient": None}, status=404)
    if request.method == "POST" and recipient.active:
        recipient.active = False
        recipient.unsubscribed_at = timezone.now()
        recipient.save(update_fields=["active", "unsubscribed_at"])
    with translation.override(recipient.language):
        return render(request, "reports/unsubscribed.html", {"recipient": recipient})
