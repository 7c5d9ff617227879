"""Routes (itineraries of stops) and the spots they pass through."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from content.fields import ChoiceListField
from content.models import Coordinates, PlaceFacts
from seo.structured_data import absolute_url, geo
from translations.languages import shown_columns
from translations.mixins import TranslatedPageMixin
from translations.routing import page_url
from visitaizu import page_cache
from visitaizu.compiled_queries import CompiledQuery
from visitaizu.page_cache import ViewRestrictionShortcutMixin

TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]
# What a route card (routes.recommender.cards) reads of a route, besides its picture and area.
CARD_FIELDS = ("title", "url_path", "summary", "duration_amount", "duration_unit", "path", "depth", "content_type")
# What a route shows of the spot at a stop: its name and link in the active language (if live), its position.
STOP_SPOT_FIELDS = ("live", "latitude", "longitude", "path", "depth", "content_type")
STOP_SPOT_TEXTS = ("spot__title", "spot__url_path")
RELATED_ROUTES = 3


class RouteIndexPage(ViewRestrictionShortcutMixin, TranslatedPageMixin, Page):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["routes.RoutePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from .forms import RouteFilterForm

        context = super().get_context(request, *args, **kwargs)
        from .recommender.cards import cards_for

        routes = RoutePage.objects.child_of(self).live()
        form = RouteFilterForm(request.GET or None)
        if request.GET:  # filtering reads the routes' facts; the plain list needs only their order
            shown = [route.pk for route in form.filter(list(routes.select_related("area").prefetch_related("themes")))]
        else:
            shown = routes.values_list("pk", flat=True)
        context["filter_form"] = form
        context["routes"] = cards_for(shown)
        return context


class SpotIndexPage(ViewRestrictionShortcutMixin, TranslatedPageMixin, Page):
    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["routes.SpotPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["spots"] = SpotPage.objects.child_of(self).live().select_related("hero_image", "area")
        return context


class SpotPage(ViewRestrictionShortcutMixin, TranslatedPageMixin, PlaceFacts, Page):
    summary = models.TextField(blank=True, help_text=_("One sentence for lists and search results."))
    description = RichTextField(blank=True, features=TEXT_FEATURES)
    opening_hours = models.TextField(blank=True)
    closed_days = models.TextField(blank=True)
    fees = models.TextField(blank=True)
    access_train = models.TextField(_("access by train"), blank=True)
    access_bus = models.TextField(_("access by bus"), blank=True)
    access_car = models.TextField(_("access by car"), blank=True)
    official_website = models.URLField(blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("opening_hours"), FieldPanel("closed_days"), FieldPanel("fees")], heading=_("Visiting")
        ),
        MultiFieldPanel(
            [FieldPanel("access_train"), FieldPanel("access_bus"), FieldPanel("access_car")], heading=_("Access")
        ),
        FieldPanel("official_website"),
        MultiFieldPanel(PlaceFacts.place_panels, heading=_("Place")),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("description")]
    parent_page_types = ["routes.SpotIndexPage"]
    subpage_types: list[str] = []

    def map_places(self) -> list[dict]:
        return [{"number": 1, "name": self.title, "latitude": self.latitude, "longitude": self.longitude}]

    def structured_data(self, request: HttpRequest) -> dict:
        data = {"@type": "TouristAttraction", "name": self.title, "description": self.summary}
        if self.has_coordinates:
            data["geo"] = geo(self.latitude, self.longitude)
        if self.official_website:
            data["sameAs"] = self.official_website
        return data

    def routes(self) -> models.QuerySet:
        """Routes that pass through this spot, derived from their stops so they never go out of date."""
        return RoutePage.objects.live().filter(stops__spot=self).distinct()


class RoutePage(ViewRestrictionShortcutMixin, TranslatedPageMixin, PlaceFacts, Page):
    DURATION_UNITS = [("hours", _("hours")), ("days", _("days"))]
    PRICE_LEVELS = [(0, _("Free")), (1, _("Low")), (2, _("Moderate")), (3, _("High"))]
    PARTY_CHOICES = [("solo", _("Solo")), ("couple", _("Couple")), ("family", _("Family")), ("group", _("Group"))]

    summary = models.TextField(blank=True, help_text=_("One or two sentences for lists and search results."))
    description = RichTextField(blank=True, features=TEXT_FEATURES)
    duration_amount = models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal("3"), validators=[MinValueValidator(Decimal("0.5"))]
    )
    duration_unit = models.CharField(max_length=5, choices=DURATION_UNITS, default="hours")
    start_place = models.CharField(max_length=200, blank=True)
    end_place = models.CharField(max_length=200, blank=True)
    price_level = models.PositiveSmallIntegerField(choices=PRICE_LEVELS, null=True, blank=True)
    party_fit = ChoiceListField(choice_list=PARTY_CHOICES, verbose_name=_("suits"))
    walking_km = models.DecimalField(
        _("walking distance (km)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("duration_amount"), FieldPanel("duration_unit")], heading=_("Duration")),
        FieldRowPanel([FieldPanel("start_place"), FieldPanel("end_place")], heading=_("Start and end")),
        FieldPanel("price_level"),
        FieldPanel("party_fit"),
        FieldPanel("walking_km"),
        MultiFieldPanel(PlaceFacts.place_panels, heading=_("Place")),
        InlinePanel("stops", label=_("Stops"), min_num=1),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("description")]
    parent_page_types = ["routes.RouteIndexPage"]
    subpage_types: list[str] = []

    @cached_property
    def stop_list(self) -> list["RouteStop"]:
        """The stops with their spots, fetched once: a page render costs the same queries for 5 stops or 50.

        Of each spot only what a stop shows is loaded (name and link in the active language, position), not its
        dozens of text columns. The stops' own texts are loaded in every language: the translation state reads them.
        """
        stops = _stops_of_route(self.pk)
        for number, stop in enumerate(stops, start=1):
            stop.number = number  # shared by the list and the map markers
        self.stops = stops  # later reads (translation state, JSON-LD) use these rows instead of querying again
        return stops

    @property
    def days(self) -> int:
        return max((stop.day for stop in self.stop_list), default=1)

    def stops_by_day(self) -> list[tuple[int, list["RouteStop"]]]:
        days: dict[int, list[RouteStop]] = {}
        for stop in self.stop_list:
            days.setdefault(stop.day, []).append(stop)
        return sorted(days.items())

    @property
    def total_minutes(self) -> int:
        """Stays plus transfers: what the visitor should plan for, excluding overnight breaks."""
        return sum(stop.stay_minutes + (stop.transfer_minutes or 0) for stop in self.stop_list)

    def duration_label(self) -> str:
        amount = self.duration_amount.normalize()
        text = f"{amount:f}"
        if self.duration_unit == "days":
            return ngettext("%(n)s day", "%(n)s days", int(amount)) % {"n": text}
        return ngettext("%(n)s hour", "%(n)s hours", int(amount) if amount == int(amount) else 2) % {"n": text}

    @property
    def duration_hours(self) -> Decimal:
        return self.duration_amount * (24 if self.duration_unit == "days" else 1)

    def get_context(self, request, *args, **kwargs):
        self.stop_list  # noqa: B018  (load the stops once, before the head's translation state reads them)
        return super().get_context(request, *args, **kwargs)

    def map_places(self) -> list[dict]:
        places = []
        for stop in self.stop_list:
            latitude, longitude = stop.position or (None, None)
            places.append({"number": stop.number, "name": stop.name, "latitude": latitude, "longitude": longitude})
        return places

    def structured_data(self, request: HttpRequest) -> dict:
        """schema.org TouristTrip whose itinerary lists the stops in order."""
        items = []
        for position, stop in enumerate(self.stop_list, start=1):
            attraction = {"@type": "TouristAttraction", "name": stop.name}
            if stop.live_spot:
                attraction["url"] = absolute_url(request, page_url(stop.live_spot, request))
            if stop.position:
                attraction["geo"] = geo(*stop.position)
            items.append({"@type": "ListItem", "position": position, "item": attraction})
        return {
            "@type": "TouristTrip",
            "name": self.title,
            "description": self.summary,
            "itinerary": {"@type": "ItemList", "numberOfItems": len(items), "itemListElement": items},
        }

    def related_routes(self) -> list[dict[str, object]]:
        """The cards of the routes ranked related to this one when routes last changed (`RelatedRoute`)."""
        from .recommender.cards import table

        cards = table(get_language())
        return cards.cards_for(cards.related.get(self.pk, ()))

    def rank_related_routes(self, limit: int = RELATED_ROUTES) -> list[int]:
        """Ids of the other live routes sharing the most themes, then the same area."""
        theme_ids = self.themes.through.objects.filter(routepage_id=self.pk).values("theme_id")
        related = Q(themes__in=theme_ids) | (Q(area_id=self.area_id) if self.area_id else Q(pk__in=[]))
        ranked = (
            RoutePage.objects.live()
            .exclude(pk=self.pk)
            .filter(related)
            .values("pk", "path")
            .annotate(shared=Count("themes", filter=Q(themes__in=theme_ids), distinct=True))
            .order_by("-shared", "path")
        )
        return [row["pk"] for row in ranked[:limit]]

    def clean(self) -> None:
        super().clean()
        if self.duration_unit == "days" and self.duration_amount != int(self.duration_amount):
            raise ValidationError({"duration_amount": _("A route of several days lasts a whole number of days.")})


class RouteStop(Orderable, Coordinates):
    """One stop of a route. Order, place and times are shared by all languages; only the words are translated."""

    TRANSFER_MODES = [
        ("walk", _("Walk")),
        ("bus", _("Bus")),
        ("train", _("Train")),
        ("taxi", _("Taxi")),
        ("car", _("Car")),
    ]

    route = ParentalKey(RoutePage, on_delete=models.CASCADE, related_name="stops")
    spot = models.ForeignKey(SpotPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="route_stops")
    place_name = models.CharField(
        max_length=200, blank=True, help_text=_("Used when the stop is not a spot page (a station, a bus stop).")
    )
    note = models.TextField(blank=True)
    stay_minutes = models.PositiveSmallIntegerField(default=30)
    day = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    transfer_mode = models.CharField(
        max_length=5, choices=TRANSFER_MODES, blank=True, help_text=_("How to reach the next stop.")
    )
    transfer_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    transfer_note = models.CharField(max_length=255, blank=True)

    panels = [
        PageChooserPanel("spot", "routes.SpotPage"),
        FieldPanel("place_name"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        FieldRowPanel([FieldPanel("day"), FieldPanel("stay_minutes")]),
        FieldPanel("note"),
        FieldRowPanel([FieldPanel("transfer_mode"), FieldPanel("transfer_minutes")]),
        FieldPanel("transfer_note"),
    ]

    def clean(self) -> None:
        super().clean()
        if not self.spot_id and not (self.place_name_ja or self.place_name):
            raise ValidationError(_("Choose a spot or enter a place name."))

    @property
    def name(self) -> str:
        return self.spot.title if self.spot_id else self.place_name

    @property
    def transfer_mode_label(self) -> str:
        """`get_transfer_mode_display()` without rebuilding the choices per call (a route page shows it per stop)."""
        return str(_TRANSFER_LABELS.get(self.transfer_mode, self.transfer_mode))

    @property
    def live_spot(self) -> "SpotPage | None":
        return self.spot if self.spot_id and self.spot.live else None

    @property
    def position(self) -> tuple | None:
        """The stop's own coordinates, else its spot's."""
        if self.has_coordinates:
            return self.latitude, self.longitude
        if self.spot_id and self.spot.has_coordinates:
            return self.spot.latitude, self.spot.longitude
        return None


_TRANSFER_LABELS = dict(RouteStop.TRANSFER_MODES)


def _route_stops(route_id: int) -> "models.QuerySet[RouteStop]":
    stop_fields = [field.name for field in RouteStop._meta.concrete_fields]
    spot_fields = [f"spot__{name}" for name in STOP_SPOT_FIELDS]
    return (
        RouteStop.objects.filter(route_id=route_id)
        .select_related("spot")
        .only(*stop_fields, *spot_fields, *shown_columns(*STOP_SPOT_TEXTS))
    )


_stops_of_route = CompiledQuery(RouteStop, _route_stops)  # every route page render runs it


class RelatedRoute(models.Model):
    """One of a route's related routes, in rank order.

    Ranked when a route is published, unpublished or moved (only the routes near it), or a route, theme or area
    is deleted (all routes; routes.signals), rather than on every render, where the ranking query cost a tenth of
    the page.
    """

    route = models.ForeignKey(RoutePage, on_delete=models.CASCADE, related_name="related_rows")
    related = models.ForeignKey(RoutePage, on_delete=models.CASCADE, related_name="ranked_for")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["route", "position"]
        constraints = [models.UniqueConstraint(fields=["route", "position"], name="related_route_position")]

    def __str__(self) -> str:
        return f"{self.route_id} → {self.related_id} ({self.position})"

    @classmethod
    @transaction.atomic
    def rank(cls, routes: "models.QuerySet[RoutePage] | None" = None) -> None:
        """Rank these routes' related routes afresh (all routes by default; one query per live route)."""
        stale = cls.objects.all() if routes is None else cls.objects.filter(route__in=routes)
        routes = RoutePage.objects.live() if routes is None else routes.live()
        rows = [
            cls(route=route, related_id=related_id, position=position)
            for route in routes.only("pk", "area")
            for position, related_id in enumerate(route.rank_related_routes(), start=1)
        ]
        stale.delete()
        cls.objects.bulk_create(rows)
        transaction.on_commit(page_cache.invalidate)  # pages rendered meanwhile showed the old ranking

    @classmethod
    def rank_all(cls, **_kwargs) -> None:
        cls.rank()

    @classmethod
    def rank_around(cls, instance: RoutePage, **_kwargs) -> None:
        """Rank again only the routes a change to this one can move: itself, the routes that list it, and the
        routes sharing one of its themes or its area (so a publish stays cheap however many routes there are)."""
        theme_ids = instance.themes.through.objects.filter(routepage_id=instance.pk).values("theme_id")
        near = (
            Q(pk=instance.pk)
            | Q(pk__in=cls.objects.filter(related=instance).values("route"))
            | Q(pk__in=RoutePage.themes.through.objects.filter(theme_id__in=theme_ids).values("routepage_id"))
        )
        if instance.area_id:
            near |= Q(area_id=instance.area_id)
        cls.rank(RoutePage.objects.filter(near))


from .recommender.models import (  # noqa: E402, F401  (the recommender's models belong to this app)
    ManualCondition,
    MarketPreference,
    RecommendationPin,
    ThemeWeight,
    TrainedModel,
)
