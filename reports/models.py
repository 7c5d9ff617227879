"""What the city measures itself by: KPIs, their yearly targets, the off-site figures staff enter each month,
and annotations (festivals, campaigns, site changes) that explain bumps in the charts.

Years: a KPI counts either by calendar year (January–December) or by the city's fiscal year (April–March).
A target's `year` is the calendar year in which its KPI year *starts*: for a fiscal KPI, year 2024 means
FY2024 = 1 April 2024 – 31 March 2025; for a calendar KPI, 1 January – 31 December 2024.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

from .utm import tagged_link

FISCAL_YEAR_START_MONTH = 4


@register_snippet
class Kpi(models.Model):
    class YearBasis(models.TextChoices):
        FISCAL = "fiscal", _("fiscal year (April–March)")
        CALENDAR = "calendar", _("calendar year (January–December)")

    class Source(models.TextChoices):
        SITE_PAGEVIEWS = "site_pageviews", _("site page views (counted by the site)")
        ENTERED = "entered", _("entered by staff each month")

    key = models.SlugField(max_length=40, unique=True, help_text=_("Short stable name used in reports."))
    name_ja = models.CharField(_("name (Japanese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("e.g. page views, guests, schools"))
    year_basis = models.CharField(_("year basis"), max_length=16, choices=YearBasis.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.ENTERED)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What is counted, and where the figures and targets come from.")
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    panels = [
        FieldPanel("key"),
        FieldPanel("name_ja"),
        FieldPanel("name_en"),
        FieldPanel("unit"),
        FieldPanel("year_basis"),
        FieldPanel("source"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "key"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        permissions = [("view_dashboard", "Can view the marketing dashboard and weekly report")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ja if (get_language() or "").startswith("ja") else self.name_en

    def year_of(self, day: dt.date) -> int:
        return year_of(self.year_basis, day)

    def year_bounds(self, year: int) -> tuple[dt.date, dt.date]:
        return year_bounds(self.year_basis, year)


def year_of(basis: str, day: dt.date) -> int:
    """The KPI year a day belongs to (fiscal years are named after the calendar year they start in)."""
    if basis == Kpi.YearBasis.FISCAL and day.month < FISCAL_YEAR_START_MONTH:
        return day.year - 1
    return day.year


def year_bounds(basis: str, year: int) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of a KPI year."""
    if basis == Kpi.YearBasis.FISCAL:
        start = dt.date(year, FISCAL_YEAR_START_MONTH, 1)
        return start, dt.date(year + 1, FISCAL_YEAR_START_MONTH, 1) - dt.timedelta(days=1)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


@register_snippet
class KpiTarget(models.Model):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets", verbose_name=_("KPI"))
    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("For a fiscal-year KPI, the year the fiscal year starts in: 2024 means April 2024 – March 2025."),
    )
    target = models.PositiveBigIntegerField(_("target"))
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("Where the target comes from."))

    panels = [FieldPanel("kpi"), FieldPanel("year"), FieldPanel("target"), FieldPanel("note")]

    class Meta:
        ordering = ["kpi", "-year"]
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [models.UniqueConstraint(fields=["kpi", "year"], name="reports_kpitarget_kpi_year")]

    def __str__(self) -> str:
        return f"{self.kpi} {self.year}: {self.target:,}"


@register_snippet
class KpiMonthlyValue(models.Model):
    """An off-site statistic for one month (foreign overnight guests, tourist arrivals...), entered by staff."""

    kpi = models.ForeignKey(
        Kpi,
        on_delete=models.CASCADE,
        related_name="monthly_values",
        verbose_name=_("KPI"),
        limit_choices_to={"source": Kpi.Source.ENTERED},
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    value = models.PositiveBigIntegerField(_("value"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    panels = [FieldPanel("kpi"), FieldPanel("year"), FieldPanel("month"), FieldPanel("value"), FieldPanel("note")]

    class Meta:
        ordering = ["kpi", "-year", "-month"]
        verbose_name = _("KPI monthly value")
        verbose_name_plural = _("KPI monthly values")
        constraints = [
            models.UniqueConstraint(fields=["kpi", "year", "month"], name="reports_kpimonthlyvalue_kpi_month")
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.year}-{self.month:02d}: {self.value:,}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


@register_snippet
class Annotation(models.Model):
    """Something that happened and explains the figures: a festival, a campaign, a change to the site."""

    class Kind(models.TextChoices):
        FESTIVAL = "festival", _("festival or event")
        CAMPAIGN = "campaign", _("campaign")
        SITE_CHANGE = "site_change", _("site change")
        OTHER = "other", _("other")

    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True, help_text=_("Leave empty for a single day."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    text = models.CharField(_("text"), max_length=300)

    panels = [FieldPanel("start"), FieldPanel("end"), FieldPanel("kind"), FieldPanel("text")]

    class Meta:
        ordering = ["-start"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")

    def __str__(self) -> str:
        return f"{self.start} {self.text}"

    @property
    def last_day(self) -> dt.date:
        return self.end or self.start

    def clean(self) -> None:
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("The end is before the start.")})


class ReportRecipient(models.Model):
    """Someone who gets the weekly report by email, in the language they chose; the unsubscribe link in every
    email sets `active` off, so nobody has to log in to stop the emails."""

    class Language(models.TextChoices):
        JA = "ja", "日本語"
        EN = "en", "English"

    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.JA)
    active = models.BooleanField(_("active"), default=True, help_text=_("Unsubscribing turns this off."))
    created = models.DateTimeField(auto_now_add=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True, editable=False)

    panels = [FieldPanel("email"), FieldPanel("language"), FieldPanel("active")]

    class Meta:
        ordering = ["email"]
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")

    def __str__(self) -> str:
        return self.email


@register_snippet
class UtmCampaign(models.Model):
    """A campaign link made with the UTM link builder, kept so the team can find it again."""

    destination = models.URLField(_("destination"), max_length=500)
    source = models.CharField(_("source"), max_length=100)
    medium = models.CharField(_("medium"), max_length=100)
    campaign = models.CharField(_("campaign"), max_length=100)
    content = models.CharField(_("content"), max_length=100, blank=True)
    term = models.CharField(_("term"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("destination"),
        FieldPanel("source"),
        FieldPanel("medium"),
        FieldPanel("campaign"),
        FieldPanel("content"),
        FieldPanel("term"),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["-created"]
        verbose_name = _("UTM campaign link")
        verbose_name_plural = _("UTM campaign links")

    def __str__(self) -> str:
        return f"{self.campaign} ({self.source} / {self.medium})"

    @property
    def link(self) -> str:
        return tagged_link(self.destination, self.source, self.medium, self.campaign, self.content, self.term)


class ReportDelivery(models.Model):
    """One weekly report sent to one recipient: lets a repeated run of the Monday job (a worker restarted
    mid-way, a task delivered twice) skip those who already have theirs."""

    recipient = models.ForeignKey(ReportRecipient, on_delete=models.CASCADE, related_name="deliveries")
    week = models.CharField(max_length=8, help_text="ISO week, e.g. 2026-W47")
    synthetic = models.BooleanField(default=False)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "week", "synthetic"], name="reports_delivery_once_a_week")
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.week}"
