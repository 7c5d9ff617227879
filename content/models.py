"""Pages and snippets every part of the site shares: home, standard pages, themes, areas and place facts."""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from translations.mixins import TranslatedPageMixin
from visitaizu import page_cache
from visitaizu.page_cache import ViewRestrictionShortcutMixin

from .fields import MonthsField

ACCESSIBILITY_CHOICES = [(None, _("Unknown")), (True, _("Yes")), (False, _("No"))]


@register_snippet
class Theme(models.Model):
    """What a visitor comes for (onsen, samurai, sake...): tags routes, spots and events, and market preferences."""

    key = models.SlugField(unique=True, help_text=_("Stable identifier used by the recommender and filters."))
    name = models.CharField(max_length=100)

    panels = [FieldPanel("key"), FieldPanel("name")]

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name or self.key


@register_snippet
class Area(models.Model):
    """A part of the city or of the wider Aizu region, for filters and wide-area routes."""

    key = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    panels = [FieldPanel("key"), FieldPanel("name"), FieldPanel("description")]

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name or self.key


class Coordinates(models.Model):
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        abstract = True

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class PlaceFacts(Coordinates):
    """What routes, spots and events share: themes, season, area, picture, and facts staff must still check."""

    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    themes = ParentalManyToManyField(Theme, blank=True, related_name="+")
    best_months = MonthsField(verbose_name=_("best months"))
    hero_image = models.ForeignKey(
        "images.AizuImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step_free = models.BooleanField(null=True, blank=True, choices=ACCESSIBILITY_CHOICES)
    stroller_friendly = models.BooleanField(null=True, blank=True, choices=ACCESSIBILITY_CHOICES)
    staff_check = models.TextField(
        blank=True,
        help_text=_("Facts not yet confirmed (hours, fees, dates, travel times). Shown only to staff."),
    )
    # Shown on every view of the page, so fetched with it (translations.routing).
    serve_select_related = ("hero_image", "area")

    place_panels = [
        FieldPanel("area"),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("best_months"),
        FieldPanel("hero_image"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Coordinates")),
        FieldRowPanel([FieldPanel("step_free"), FieldPanel("stroller_friendly")], heading=_("Accessibility")),
        FieldPanel("staff_check"),
    ]

    class Meta:
        abstract = True


class HomePage(ViewRestrictionShortcutMixin, TranslatedPageMixin, Page):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    def get_context(self, request, *args, **kwargs):
        from routes.recommender.serving import popular_routes

        context = super().get_context(request, *args, **kwargs)
        # The same for every visitor, so the page caches; personal picks arrive later from a JSON endpoint.
        context["popular_routes"] = popular_routes(6)
        return context


class StandardPage(ViewRestrictionShortcutMixin, TranslatedPageMixin, Page):
    """Practical information, getting to Aizu, the privacy notice: text that is not a route, spot or event.

    The body is rich text rather than a translated StreamField: per-language StreamFields drift apart and
    their "copy content" buttons break in the Japanese admin (see the modeltranslation notes).
    """

    intro = models.TextField(blank=True)
    body = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"])

    content_panels = Page.content_panels + [MultiFieldPanel([FieldPanel("intro"), FieldPanel("body")])]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    @classmethod
    def content_type_id_for_menu(cls) -> int:
        return ContentType.objects.get_for_model(cls).id


@register_snippet
class SiteAlert(models.Model):
    """A site-wide notice (heavy snow, earthquake, closures) shown on every page in every language at once."""

    LEVELS = [("info", _("Information")), ("warning", _("Warning")), ("danger", _("Emergency"))]

    message = models.TextField(help_text=_("Write it in Japanese and in every other language."))
    link = models.URLField(blank=True, help_text=_("Optional page with details (e.g. the city's disaster page)."))
    level = models.CharField(max_length=7, choices=LEVELS, default="warning")
    active = models.BooleanField(default=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    panels = [
        FieldPanel("message"),
        FieldPanel("link"),
        FieldPanel("level"),
        FieldPanel("active"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
    ]

    class Meta:
        ordering = ["-level", "-pk"]

    def __str__(self) -> str:
        return Truncator(self.message).chars(60)

    @classmethod
    def current(cls) -> list["SiteAlert"]:
        """Alerts showing now. Every page asks, so the active ones are kept under the page cache's generation,
        which saving or deleting an alert moves on (content.signal_handlers); their times are checked here."""
        alerts = page_cache.shared_value("site-alerts", lambda: list(cls.objects.filter(active=True)), seconds=300)
        now = timezone.now()
        return [
            alert
            for alert in alerts
            if (alert.starts_at is None or alert.starts_at <= now) and (alert.ends_at is None or alert.ends_at > now)
        ]
