from django import forms
from django.utils.translation import gettext_lazy as _

from content.fields import MONTHS
from content.models import Area, Theme

DURATIONS = [("half", _("Half a day or less")), ("day", _("One day")), ("multi", _("Several days"))]


class RouteFilterForm(forms.Form):
    """The filters a visitor uses on the route list; every field optional, unknown values reported, not ignored."""

    theme = forms.ChoiceField(label=_("Theme"), required=False)
    month = forms.TypedChoiceField(
        label=_("Month"), required=False, coerce=int, empty_value=None, choices=[("", _("Any"))] + MONTHS
    )
    duration = forms.ChoiceField(label=_("Duration"), required=False, choices=[("", _("Any"))] + DURATIONS)
    area = forms.ChoiceField(label=_("Area"), required=False)
    party = forms.ChoiceField(label=_("Travelling as"), required=False)
    step_free = forms.BooleanField(label=_("Step-free only"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import RoutePage

        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("Any"))] + [(theme.key, theme.name) for theme in Theme.objects.all()]
        self.fields["area"].choices = [("", _("Any"))] + [(area.key, area.name) for area in Area.objects.all()]
        self.fields["party"].choices = [("", _("Any"))] + list(RoutePage.PARTY_CHOICES)

    def filter(self, routes: list) -> list:
        """Filter in Python: the list is a few hundred routes at most and month/party are JSON lists."""
        if not self.is_valid():
            return routes
        data = self.cleaned_data
        if data["theme"]:
            routes = [route for route in routes if data["theme"] in {theme.key for theme in route.themes.all()}]
        if data["month"]:
            routes = [route for route in routes if not route.best_months or data["month"] in route.best_months]
        if data["duration"]:
            routes = [route for route in routes if duration_band(route) == data["duration"]]
        if data["area"]:
            routes = [route for route in routes if route.area and route.area.key == data["area"]]
        if data["party"]:
            routes = [route for route in routes if data["party"] in route.party_fit]
        if data["step_free"]:
            routes = [route for route in routes if route.step_free]
        return routes


def duration_band(route) -> str:
    hours = route.duration_hours
    if hours <= 5:
        return "half"
    return "day" if hours <= 24 else "multi"
