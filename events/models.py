"""Festivals and other dated events."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from content.models import PlaceFacts
from translations.mixins import TranslatedPageMixin


class EventIndexPage(TranslatedPageMixin, Page):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["events.EventPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["events"] = EventPage.objects.child_of(self).live().order_by("start_date", "pk")
        return context


class EventPage(TranslatedPageMixin, PlaceFacts, Page):
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

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The festival cannot end before it starts.")})
