"""The stats API (token) and the open-data CSV export (public). Both read only rollups: no personal data.

Documented in analytics/STATS_API.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .anonymous_ids import tokyo_day
from .models import StatsToken
from .queries import SUMS, Period, QueryError, breakdown, has_synthetic, timeseries, totals


def hash_stats_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _error(field: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": {"field": field, "message": message}}, status=status)


def token_required(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        found = StatsToken.objects.filter(token_hash=hash_stats_token(token)).first() if token else None
        if found is None:
            response = _error("authorization", "send a stats token as 'Authorization: Bearer <token>'", 401)
            response["WWW-Authenticate"] = "Bearer"
            return response
        StatsToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
        return view(request, *args, **kwargs)

    return wrapper


def _date(request: HttpRequest, name: str, default: dt.date) -> dt.date:
    value = request.GET.get(name)
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise QueryError(name, "must be a date as YYYY-MM-DD") from None


def _common(request: HttpRequest) -> dict:
    yesterday = tokyo_day() - dt.timedelta(days=1)
    period = Period(_date(request, "from", yesterday - dt.timedelta(days=6)), _date(request, "to", yesterday))
    synthetic = request.GET.get("synthetic", "false")
    if synthetic not in ("true", "false"):
        raise QueryError("synthetic", "must be true (synthetic data only) or false (real data only)")
    site = request.GET.get("site")
    if site is not None and not site.isdigit():
        raise QueryError("site", "must be a site id")
    country = request.GET.get("country") or None
    if country and not (len(country) == 2 and country.isalpha()):
        raise QueryError("country", "must be a two-letter country code")
    return {
        "period": period,
        "synthetic": synthetic == "true",
        "site": int(site) if site else None,
        "country": country,
        "market": request.GET.get("market") or None,
    }


def _limit(request: HttpRequest) -> int:
    value = request.GET.get("limit", "100")
    if not value.isdigit() or not 1 <= int(value) <= 10_000:
        raise QueryError("limit", "must be a number from 1 to 10000")
    return int(value)


def _answer(build) -> JsonResponse:
    try:
        return JsonResponse(build())
    except QueryError as error:
        return _error(error.field, error.message)


def _meta(args: dict) -> dict:
    period = args["period"]
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "synthetic": args["synthetic"],
        "synthetic_data_present": has_synthetic(period),
    }


@require_GET
@token_required
def aggregate(request: HttpRequest) -> JsonResponse:
    def build():
        args = _common(request)
        return {**_meta(args), "results": totals(**args)}

    return _answer(build)


@require_GET
@token_required
def breakdown_view(request: HttpRequest) -> JsonResponse:
    def build():
        args = _common(request)
        dimension = request.GET.get("dimension", "")
        rows = breakdown(dimension=dimension, limit=_limit(request), order_by=request.GET.get("order", "visitors"),
                         **args)  # fmt: skip
        return {**_meta(args), "dimension": dimension, "results": rows}

    return _answer(build)


@require_GET
@token_required
def timeseries_view(request: HttpRequest) -> JsonResponse:
    def build():
        args = _common(request)
        if args["country"] or args["market"]:
            raise QueryError("country", "the time series is for the whole site")
        return {**_meta(args), "results": timeseries(args["period"], args["synthetic"], args["site"])}

    return _answer(build)


@require_GET
def open_data_csv(request: HttpRequest) -> HttpResponse:
    """Real data only, and rows of fewer than ANALYTICS_OPEN_DATA_MIN_VISITORS visitors left out."""
    try:
        args = {**_common(request), "synthetic": False}
        dimension = request.GET.get("dimension", "country")
        rows = breakdown(dimension=dimension, limit=10_000, **args)
    except QueryError as error:
        return _error(error.field, error.message)
    minimum = settings.ANALYTICS_OPEN_DATA_MIN_VISITORS
    period = args["period"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visitaizu-{dimension}-{period.start}-{period.end}.csv"'
    writer = csv.writer(response)
    writer.writerow(["from", "to", "dimension", "key", "key2", *SUMS])
    for row in rows:
        if (row["visitors"] or row["events"]) >= minimum:  # consent rows count answers, not visitors
            writer.writerow([period.start, period.end, dimension, row["key"], row["key2"], *(row[n] for n in SUMS)])
    return response
