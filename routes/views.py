"""The recommendations endpoint pages call after load: the only part of a page that differs per visitor."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics.enrichment import browser_language, country_of, device_browser_os
from consent.models import VisitorProfile, consented_token_hash

from .recommender import cards
from .recommender.cards import CardTable
from .recommender.features import VisitorContext
from .recommender.serving import Recommendation, recommend

PLACEMENTS = {"home", "routes", "route"}


def visitor_context(request: HttpRequest, language: str) -> VisitorContext:
    """Without consent: country, language (and the page, passed separately). With consent: the profile too."""
    meta = request.META
    country = country_of(meta, browser_language(meta.get("HTTP_ACCEPT_LANGUAGE", "")))
    country = country or request.COOKIES.get("visitaizu_country", "")[:2].upper()
    context = VisitorContext(
        country=country if country.isalpha() else "",
        lang=language,
        device=int(device_browser_os(meta.get("HTTP_USER_AGENT", "")[:512])[0]),
    )
    token_hash = consented_token_hash(request)
    profile = VisitorProfile.objects.filter(token_hash=token_hash).first() if token_hash else None
    if profile is not None:
        context.interests = list(profile.interests or [])
        context.travel_month = profile.travel_month
        context.party = profile.party
        context.profile_key = f"profile:{profile.pk}"
    return context


def reason_text(item: Recommendation, table: CardTable) -> str:
    market_names = table.market_names
    if item.reason == "pinned":
        return _("Featured")
    if item.reason == "interest":
        return _("Because you like %(theme)s") % {"theme": table.theme_names.get(item.detail, item.detail)}
    if item.reason == "condition":
        return item.detail
    if item.reason == "history":
        return _("You looked at it on an earlier visit")
    if item.reason == "related":
        return _("Like this route: %(theme)s") % {"theme": table.theme_names.get(item.detail, item.detail)}
    if item.reason == "market" and item.detail in market_names and item.detail != "other":
        return _("Popular with visitors from %(market)s") % {"market": market_names[item.detail]}
    if item.reason == "season":
        import datetime as dt

        month = date_format(dt.date(2000, int(item.detail), 1), "F")
        return _("At its best in %(month)s") % {"month": month}
    return _("Popular with visitors")


@require_GET
def recommendations(request: HttpRequest) -> JsonResponse:
    """GET ?placement=home|routes|route&page=<id>&lang=<code>: up to `limit` routes with a reason each."""
    placement = request.GET.get("placement", "")
    language = request.GET.get("lang", "")
    page = request.GET.get("page", "")
    limit = request.GET.get("limit", "4")
    errors = {}
    if placement not in PLACEMENTS:
        errors["placement"] = f"must be one of {', '.join(sorted(PLACEMENTS))}"
    if language not in dict(settings.LANGUAGES):
        errors["lang"] = "is not a language of this site"
    if page and not page.isdigit():
        errors["page"] = "must be a page id"
    if not limit.isdigit() or not 1 <= int(limit) <= 12:
        errors["limit"] = "must be a number from 1 to 12"
    if errors:
        field, message = next(iter(errors.items()))
        return JsonResponse({"error": {"field": field, "message": message}}, status=400)
    with translation.override(language):
        context = visitor_context(request, language)
        # the page the visitor is on is never suggested; on a route page it is context too (no consent needed)
        current = int(page) if page else None
        items = recommend(context, k=int(limit), exclude=(current,) if current else (), near=current)
        table = cards.table(language)
        routes = [
            {**table.cards[item.route], "reason": reason_text(item, table)}
            for item in items
            if item.route in table.cards
        ]
    response = JsonResponse({"placement": placement, "routes": routes})
    response["Cache-Control"] = "private, no-store"
    return response
