"""What staff set for the recommender (market preferences, campaign pins, today's conditions) and the models
it trained. Imported by routes.models, so these are models of the `routes` app."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable
from wagtail.snippets.models import register_snippet


@register_snippet
class MarketPreference(ClusterableModel):
    """How much visitors of one market care for each theme (0–1): the recommender's prior and a feature of
    every visitor of that market, so a first-time visitor gets sensible routes before any data exists."""

    market = models.OneToOneField("analytics.Market", on_delete=models.CASCADE, related_name="preference")
    illustrative = models.BooleanField(
        default=True,
        help_text=_("Tick while the weights are illustrative (demo), not from a survey; reports say so."),
    )
    source = models.TextField(blank=True, help_text=_("Where the weights come from (survey, year)."))

    panels = [FieldPanel("market"), FieldPanel("illustrative"), FieldPanel("source"), InlinePanel("weights")]

    class Meta:
        verbose_name = _("market preference")

    def __str__(self) -> str:
        label = _("illustrative") if self.illustrative else _("surveyed")
        return f"{self.market} ({label})"


class ThemeWeight(Orderable):
    preference = ParentalKey(MarketPreference, on_delete=models.CASCADE, related_name="weights")
    theme = models.ForeignKey("content.Theme", on_delete=models.CASCADE, related_name="+")
    weight = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])

    panels = [FieldRowPanel([FieldPanel("theme"), FieldPanel("weight")])]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["preference", "theme"], name="routes_themeweight_once")]


@register_snippet
class RecommendationPin(ClusterableModel):
    """A route editors push for a campaign, for some markets (or all) between two dates."""

    route = models.ForeignKey("routes.RoutePage", on_delete=models.CASCADE, related_name="+")
    campaign = models.CharField(max_length=120)
    markets = ParentalManyToManyField("analytics.Market", blank=True, help_text=_("None ticked: every market."))
    starts_on = models.DateField()
    ends_on = models.DateField()

    panels = [
        PageChooserPanel("route", "routes.RoutePage"),
        FieldPanel("campaign"),
        FieldPanel("markets"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
    ]

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.route}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The campaign ends before it starts.")})


@register_snippet
class ManualCondition(ClusterableModel):
    """Weather or crowding that staff see today ("heavy snow", "castle crowded"): lowers or raises routes."""

    message = models.CharField(max_length=200, help_text=_("Shown as the reason, e.g. “Heavy snow today”."))
    raise_themes = ParentalManyToManyField("content.Theme", blank=True, related_name="+")
    lower_themes = ParentalManyToManyField("content.Theme", blank=True, related_name="+")
    lower_spot = models.ForeignKey(
        "routes.SpotPage", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text=_("A crowded or closed place: routes through it are lowered."),
    )  # fmt: skip
    strength = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
        help_text=_("How far routes move: from 0.5 every raised route goes above the rest, every lowered one below."),
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    panels = [
        FieldPanel("message"),
        FieldPanel("raise_themes"),
        FieldPanel("lower_themes"),
        PageChooserPanel("lower_spot", "routes.SpotPage"),
        FieldPanel("strength"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
    ]

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.message

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The condition ends before it starts.")})


class TrainedModel(models.Model):
    """One training run: its file (in Django's storage, shared by every machine), evaluation and status."""

    class Status(models.TextChoices):
        LIVE = "live", _("live")
        RETIRED = "retired", _("retired")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed")

    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    file_name = models.CharField(max_length=255, blank=True)
    interactions = models.IntegerField(default=0)
    visitors = models.IntegerField(default=0)
    hold_out_from = models.DateField(null=True)
    metrics = models.JSONField(default=dict)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="live"), name="routes_one_live_model")
        ]

    def __str__(self) -> str:
        return f"model {self.pk} ({self.status})"
