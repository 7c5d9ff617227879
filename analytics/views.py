"""The tracker's endpoint. Answers are small JSON; errors name the field so a broken tracker is easy to fix."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .intake import Refused, accept_request


@csrf_exempt  # beacons cannot carry a CSRF token; the Origin check in intake stands in for it
@require_POST
def collect_event(request: HttpRequest) -> JsonResponse:
    try:
        outcome = accept_request(request)
    except Refused as refused:
        response = JsonResponse({"error": {"field": refused.field, "message": refused.message}}, status=refused.status)
    else:
        response = JsonResponse({"ok": True, "counted": outcome == "accepted"}, status=202)
    response["Cache-Control"] = "no-store"
    return response
