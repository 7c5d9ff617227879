"""Festivals and other dated events."""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from content.fields import MONTHS
from content.models import PlaceFacts
from seo.structured_data import geo
from translations.mixins import TranslatedPageMixin
from visitaizu.page_cache import ViewRestrictionShortcutMixin


class EventIndexPage(ViewRestrictionShortcutMixin, TranslatedPageMixin, Page):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["events.EventPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        events = list(EventPage.objects.child_of(self).live().order_by("start_date", "path"))
        context["events"] = events
        context["calendar"] = festival_calendar(events)
        return context


def festival_calendar(events: list["EventPage"]) -> list[tuple[int, str, list["EventPage"]]]:
    """Month by month: an event with dates sits in its start month, one without in the months it is usually held."""
    months = {number: [] for number, _label in MONTHS}
    for event in events:
        for month in [event.start_date.month] if event.start_date else event.best_months:
            months[month].append(event)
    return [(number, label, months[number]) for number, label in MONTHS if months[number]]


class EventPage(ViewRestrictionShortcutMixin, TranslatedPageMixin, PlaceFacts, Page):
    """A festival. Dates change every year, so `usual_timing` says when it is normally held when dates are unknown."""

    summary = models.TextField(blank=True)
    description = RichTextField(blank=True, features=["bold", "italic", "ol", "ul", "link"])
    usual_timing = models.CharField(max_length=200, blank=True, help_text=_("e.g. 'Every year on 10 January'"))
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    spot = models.ForeignKey("routes.SpotPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    place_name = models.CharField(max_length=200, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading=_("Dates")),
        FieldPanel("usual_timing"),
        PageChooserPanel("spot", "routes.SpotPage"),
        FieldPanel("place_name"),
        MultiFieldPanel(PlaceFacts.place_panels, heading=_("Place")),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("description")]
    parent_page_types = ["events.EventIndexPage"]
    subpage_types: list[str] = []

    def structured_data(self, request: HttpRequest) -> dict:
        data = {"@type": "Event", "name": self.title, "description": self.summary}
        if self.start_date:
            data["startDate"] = self.start_date.isoformat()
            data["endDate"] = (self.end_date or self.start_date).isoformat()
        place = {"@type": "Place", "name": self.spot.title if self.spot_id else self.place_name or self.title}
        latitude, longitude = (
            (self.latitude, self.longitude)
            if self.has_coordinates
            else (self.spot.latitude, self.spot.longitude)
            if self.spot_id and self.spot.has_coordinates
            else (None, None)
        )
        if latitude is not None:
            place["geo"] = geo(latitude, longitude)
        data["location"] = place
        return data

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The festival cannot end before it starts.")})
