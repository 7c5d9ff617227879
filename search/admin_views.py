"""The staff report of what visitors searched for, and what found nothing, per language over a date range."""

import datetime

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from translations.languages import language_name, supported_languages

from .models import SearchQueryLog

TOP = 50
DEFAULT_DAYS = 30


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("All"))] + [(c, language_name(c)) for c in supported_languages()]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data


def _top_terms(rows: QuerySet, count_field: str) -> list[dict]:
    return list(
        rows.values("language", "term")
        .annotate(count=Sum(count_field), days=Count("day"))
        .filter(count__gt=0)
        .order_by("-count", "term")[:TOP]
    )


def site_search_report(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("search.view_searchquerylog"):
        raise PermissionDenied
    today = timezone.localdate()
    form = ReportForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    start = data.get("start") or today - datetime.timedelta(days=DEFAULT_DAYS - 1)
    end = data.get("end") or today
    languages = [data["language"]] if data.get("language") else supported_languages()

    rows = SearchQueryLog.objects.filter(day__range=(start, end))
    sections = []
    for code in languages:
        in_language = rows.filter(language=code)
        totals = in_language.aggregate(searches=Sum("searches"), zero=Sum("zero_result_searches"))
        sections.append(
            {
                "code": code,
                "name": language_name(code),
                "searches": totals["searches"] or 0,
                "zero": totals["zero"] or 0,
                "top": _top_terms(in_language, "searches"),
                "nothing_found": _top_terms(in_language, "zero_result_searches"),
            }
        )
    return render(
        request,
        "search/admin/site_searches.html",
        {"form": form, "start": start, "end": end, "sections": sections, "top": TOP},
    )
