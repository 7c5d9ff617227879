"""The translation report: which page is missing, partial or waiting for review in which language."""

from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.models import Page

from .languages import language_name, supported_languages
from .state import State, mark_reviewed, records_by_page, translation_statuses


def translation_report(request: HttpRequest) -> HttpResponse:
    languages = supported_languages()
    wanted_state = request.GET.get("state", "")
    wanted_language = request.GET.get("language", "")
    pages = Page.objects.exclude(depth=1).order_by("path").specific()
    records = records_by_page()

    rows, totals = [], {code: Counter() for code in languages}
    for page in pages:
        statuses = translation_statuses(page, records.get(page.pk, []))
        for code, status in statuses.items():
            totals[code][status.state] += 1
        shown = [statuses[code] for code in languages if not wanted_language or code == wanted_language]
        if wanted_state and not any(status.state == wanted_state for status in shown):
            continue
        rows.append({"page": page, "statuses": [statuses[code] for code in languages]})

    return render(
        request,
        "translations/report.html",
        {
            "rows": rows,
            "languages": [(code, language_name(code)) for code in languages],
            "totals": [
                (code, [(state, totals[code][state]) for state in State if totals[code][state]]) for code in languages
            ],
            "states": list(State),
            "wanted_state": wanted_state,
            "wanted_language": wanted_language,
            "source_language": settings.SOURCE_LANGUAGE,
        },
    )


@require_POST
def review_translation(request: HttpRequest, page_id: int, language: str) -> HttpResponse:
    page = get_object_or_404(Page, pk=page_id)
    if language not in supported_languages():
        raise PermissionDenied
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    mark_reviewed(page, language, request.user)
    messages.success(
        request,
        _("Marked the %(language)s text of “%(page)s” as reviewed.")
        % {"language": language_name(language), "page": page.title},
    )
    return redirect(request.POST.get("next") or "translations:report")
