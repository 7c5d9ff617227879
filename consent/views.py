"""The consent answer and the profile it allows, as small JSON endpoints called by consent.js after load.

Pages stay identical for everyone (and cached); only these answers differ per visitor. State-changing calls
must be JSON from this site's own pages: a cross-site form cannot send that content type, which stands in for a
CSRF token that a cached page could not carry.
"""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wagtail.models import Page

from .models import (
    CONSENT_COOKIE,
    VISITOR_COOKIE,
    ConsentAnswer,
    ConsentNotice,
    SavedRoute,
    VisitorProfile,
    consented_token_hash,
    gpc,
    hash_token,
)

COOKIE_AGE = 365 * 24 * 60 * 60
PARTIES = {"solo", "couple", "family", "group"}


class BadRequest(Exception):
    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


def _error(error: BadRequest) -> JsonResponse:
    return JsonResponse({"error": {"field": error.field, "message": error.message}}, status=error.status)


def _json_body(request: HttpRequest) -> dict:
    if request.content_type != "application/json":
        raise BadRequest("body", "must be sent as application/json", 415)
    origin = request.META.get("HTTP_ORIGIN")
    if origin and origin.split("://", 1)[-1].split("/")[0] != request.get_host():
        raise BadRequest("origin", "requests are accepted from this site's own pages only", 403)
    if len(request.body) > 4096:
        raise BadRequest("body", "is larger than 4096 bytes", 413)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        raise BadRequest("body", "is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body", "must be a JSON object")
    return data


def current_profile(request: HttpRequest) -> VisitorProfile | None:
    token_hash = consented_token_hash(request)
    return VisitorProfile.objects.filter(token_hash=token_hash).first() if token_hash else None


def _route_ids(value: object, field: str) -> list[int]:
    if not isinstance(value, list) or len(value) > 100:
        raise BadRequest(field, "must be a list of at most 100 page ids")
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in value):
        raise BadRequest(field, "must hold page ids (positive integers)")
    return list(dict.fromkeys(value))


def _profile_json(profile: VisitorProfile | None) -> dict:
    if profile is None:
        return {"profile": None}
    return {
        "profile": {
            "saved_routes": list(profile.saved_routes.values_list("page_id", flat=True)),
            "interests": profile.interests,
            "travel_month": profile.travel_month,
            "party": profile.party,
        }
    }


def _save_routes(profile: VisitorProfile, ids: list[int]) -> None:
    existing = set(Page.objects.filter(pk__in=ids).values_list("pk", flat=True))
    SavedRoute.objects.bulk_create(
        [SavedRoute(profile=profile, page_id=pk) for pk in ids if pk in existing], ignore_conflicts=True
    )


def _answer(request: HttpRequest, answer: str, version: int, language: str) -> str:
    """Count the answer (no identifier); returns the country it was counted for."""
    from analytics.anonymous_ids import tokyo_day
    from analytics.enrichment import browser_language, country_of

    country = country_of(request.META, browser_language(request.META.get("HTTP_ACCEPT_LANGUAGE", "")))
    ConsentAnswer.objects.create(
        day=tokyo_day(),
        answer=answer,
        notice_version=version,
        country=country,
        language=language,
    )
    return country


@csrf_exempt
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> JsonResponse:
    """GET: the visitor's state. POST {"answer": "agree"|"decline", "version", "language", "saved_routes"}."""
    notice = ConsentNotice.objects.first()
    if request.method == "GET":
        response = JsonResponse(
            {
                "notice_version": notice.version if notice else None,
                "answer": request.COOKIES.get(CONSENT_COOKIE, "").split(".")[0] or None,
                "gpc": gpc(request),
                **_profile_json(current_profile(request)),
            }
        )
        response["Cache-Control"] = "no-store"
        return response
    try:
        data = _json_body(request)
        answer = data.get("answer")
        if answer not in ("agree", "decline"):
            raise BadRequest("answer", 'must be "agree" or "decline"')
        if notice is None or data.get("version") != notice.version:
            raise BadRequest("version", "is not the notice now shown; reload the page", 409)
        language = data.get("language") or ""
        if language not in dict(settings.LANGUAGES):
            raise BadRequest("language", "is not a language of this site")
        saved = _route_ids(data.get("saved_routes", []), "saved_routes")
        if answer == "agree" and gpc(request):
            raise BadRequest("answer", "this browser sends Global Privacy Control, which we honour as no", 409)
    except BadRequest as error:
        return _error(error)
    response = JsonResponse({"answer": answer, "notice_version": notice.version})
    with transaction.atomic():
        existing = current_profile(request)
        if answer == "agree":
            country = _answer(request, ConsentAnswer.Answer.AGREED, notice.version, language)
            if existing is None:
                token = secrets.token_urlsafe(32)
                existing = VisitorProfile.objects.create(
                    token_hash=hash_token(token), notice_version=notice.version, language=language, country=country
                )
                response.set_cookie(VISITOR_COOKIE, token, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                                    secure=request.is_secure())  # fmt: skip
            else:
                existing.notice_version = notice.version
                existing.save(update_fields=["notice_version", "last_seen"])
            _save_routes(existing, saved)
        else:
            _answer(request, ConsentAnswer.Answer.DECLINED, notice.version, language)
            if existing is not None:
                existing.delete()
            response.delete_cookie(VISITOR_COOKIE)
    value = f"{'agreed' if answer == 'agree' else 'declined'}.{notice.version}"
    response.set_cookie(CONSENT_COOKIE, value, max_age=COOKIE_AGE, samesite="Lax", secure=request.is_secure())
    return response


@csrf_exempt
@require_http_methods(["POST"])
def withdraw(request: HttpRequest) -> JsonResponse:
    """Delete the profile with everything in it, at once, and forget the visitor id."""
    try:
        data = _json_body(request)
    except BadRequest as error:
        return _error(error)
    notice = ConsentNotice.objects.first()
    version = notice.version if notice else 0
    deleted = False
    token = request.COOKIES.get(VISITOR_COOKIE)
    if token:
        deleted = bool(VisitorProfile.objects.filter(token_hash=hash_token(token)).delete()[0])
    language = data.get("language") if data.get("language") in dict(settings.LANGUAGES) else ""
    _answer(request, ConsentAnswer.Answer.WITHDRAWN, version, language)
    response = JsonResponse({"answer": "withdrawn", "deleted": deleted})
    response.delete_cookie(VISITOR_COOKIE)
    response.set_cookie(CONSENT_COOKIE, f"withdrawn.{version}", max_age=COOKIE_AGE, samesite="Lax",
                        secure=request.is_secure())  # fmt: skip
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> JsonResponse:
    """GET: the consented profile. POST: change saved routes or preferences ({"route", "saved"} or fields)."""
    visitor = current_profile(request)
    if request.method == "GET" or visitor is None:
        if request.method == "POST":
            return _error(BadRequest("profile", "there is no profile: agree to one first", 403))
        response = JsonResponse(_profile_json(visitor))
        response["Cache-Control"] = "no-store"
        return response
    try:
        data = _json_body(request)
        changed = []
        route, saved = data.get("route"), data.get("saved", True)
        if "route" in data:
            _route_ids([route], "route")
            if not isinstance(saved, bool):
                raise BadRequest("saved", "must be true or false")
        if "interests" in data:
            interests = data["interests"]
            if (
                not isinstance(interests, list)
                or len(interests) > 20
                or not all(
                    isinstance(i, str) and 0 < len(i) <= 32 and i.replace("-", "").replace("_", "").isalnum()
                    for i in interests
                )
            ):
                raise BadRequest("interests", "must be a list of at most 20 theme keys")
            visitor.interests = list(dict.fromkeys(interests))
            changed.append("interests")
        if "travel_month" in data:
            month = data["travel_month"]
            if month is not None and (isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12):
                raise BadRequest("travel_month", "must be a month number from 1 to 12, or null")
            visitor.travel_month = month
            changed.append("travel_month")
        if "party" in data:
            if data["party"] not in PARTIES | {""}:
                raise BadRequest("party", f"must be one of {', '.join(sorted(PARTIES))}")
            visitor.party = data["party"]
            changed.append("party")
    except BadRequest as error:
        return _error(error)
    with transaction.atomic():
        if route is not None and saved:
            _save_routes(visitor, [route])
        elif route is not None:
            visitor.saved_routes.filter(page_id=route).delete()
        visitor.save(update_fields=[*changed, "last_seen"])
    return JsonResponse(_profile_json(visitor))
