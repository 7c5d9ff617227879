"""What the site stores about visits: anonymous raw events, intake counters and the staff-editable tables
that turn countries into markets and outbound links into goals. Nothing here can identify a visitor."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet


class RawEvent(models.Model):
    """One accepted event, as narrow as we can make it (about 150 bytes a row on PostgreSQL).

    On PostgreSQL the table is partitioned by month of `at` (see `analytics.partitions`); its DDL lives in
    migration 0002 and `tests/test_event_storage.py` checks it still matches these fields.
    `visitor` is a keyed hash whose salt changes every day in Asia/Tokyo, so it links events of one day only.
    The page id is also the translation group: every language of a page lives in the same page row.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    site = models.PositiveSmallIntegerField()
    name = models.PositiveSmallIntegerField()
    visitor = models.BigIntegerField()
    synthetic = models.BooleanField(default=False)
    page = models.IntegerField(null=True)
    page_type = models.SmallIntegerField(null=True)
    path = models.CharField(max_length=300, blank=True)
    lang = models.CharField(max_length=16, blank=True)
    browser_lang = models.CharField(max_length=16, blank=True)
    fallback = models.BooleanField(default=False)
    country = models.CharField(max_length=2, blank=True)
    device = models.PositiveSmallIntegerField(default=0)
    browser = models.CharField(max_length=32, blank=True)
    os = models.CharField(max_length=32, blank=True)
    channel = models.PositiveSmallIntegerField(default=0)
    referrer = models.CharField(max_length=253, blank=True)
    utm_source = models.CharField(max_length=100, null=True)
    utm_medium = models.CharField(max_length=100, null=True)
    utm_campaign = models.CharField(max_length=100, null=True)
    goal = models.CharField(max_length=16, null=True)
    target = models.CharField(max_length=253, null=True)
    item = models.IntegerField(null=True)
    items = models.CharField(max_length=200, null=True)
    value = models.IntegerField(null=True)
    scroll = models.PositiveSmallIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["at"], name="analytics_rawevent_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} event {self.name} on page {self.page}"


class IntakeCount(models.Model):
    """Daily counts of what intake turned away or noticed: bots, rate-limited bursts, late events."""

    class Kind(models.TextChoices):
        BOT = "bot", _("bot requests dropped")
        RATE_LIMITED = "rate_limited", _("events over the rate limit")
        LATE = "late", _("events for an earlier day")

    day = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind"], name="analytics_intakecount_day_kind")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}: {self.count}"


class TouchedDay(models.Model):
    """Days (Asia/Tokyo) that received events since their rollup last ran: the rollup job's work list."""

    day = models.DateField(primary_key=True)
    touched_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.day)


class DrainedBatch(models.Model):
    """Batches already copied from the Redis buffer, so a batch retried after a crash is written only once."""

    batch = models.CharField(max_length=64, primary_key=True)
    drained_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.batch


@register_snippet
class Market(models.Model):
    """A group of countries marketers plan for (Taiwan, Southeast Asia, Europe...)."""

    key = models.SlugField(max_length=32, unique=True, help_text=_("Short stable name used in reports and APIs."))
    name = models.CharField(max_length=80)
    sort_order = models.PositiveSmallIntegerField(default=0)

    panels = [FieldPanel("key"), FieldPanel("name"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "key"]

    def __str__(self) -> str:
        return self.name


@register_snippet
class CountryMarket(models.Model):
    """Which market a country belongs to; countries not listed count as the market with key "other"."""

    country = models.CharField(
        max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2 code in capitals, e.g. TW, HK, US.")
    )
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="countries")

    panels = [FieldPanel("country"), FieldPanel("market")]

    class Meta:
        ordering = ["country"]
        verbose_name = _("country → market")
        verbose_name_plural = _("countries → markets")

    def __str__(self) -> str:
        return f"{self.country} → {self.market}"

    def clean(self) -> None:
        self.country = (self.country or "").strip().upper()


@register_snippet
class GoalDomain(models.Model):
    """An outbound site whose clicks count as a goal (a booking site, a railway, a bus company...)."""

    class Kind(models.TextChoices):
        BOOKING = "booking", _("booking")
        RAIL = "rail", _("rail")
        BUS = "bus", _("bus")
        OFFICIAL = "official", _("official site")
        MAP = "map", _("map directions")

    domain = models.CharField(
        max_length=253,
        unique=True,
        help_text=_(
            "Host name without https://, e.g. jreast.co.jp (its subdomains count too), optionally with the first "
            "part of the path, e.g. google.com/maps."
        ),
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)

    panels = [FieldPanel("domain"), FieldPanel("kind")]

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return f"{self.domain} ({self.get_kind_display()})"

    def clean(self) -> None:
        self.domain = (self.domain or "").strip().lower().removeprefix("https://").removeprefix("http://")
        self.domain = "/".join(part for part in self.domain.split("/")[:2] if part)


class ProfileEvent(models.Model):
    """History of a visitor who agreed to a profile; deleted with the profile when consent is withdrawn."""

    class Kind(models.TextChoices):
        VIEW = "view", _("page view")
        ENGAGED = "engaged", _("engaged time")
        SAVE = "save", _("saved a route")
        UNSAVE = "unsave", _("removed a saved route")
        BOOKING = "booking", _("booking click")
        REC_CLICK = "rec_click", _("recommendation click")

    profile = models.ForeignKey("consent.VisitorProfile", on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    page = models.IntegerField(null=True)
    value = models.IntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["at"], name="analytics_profileevent_at")]

    def __str__(self) -> str:
        return f"{self.kind} of page {self.page}"


class DailyRollup(models.Model):
    """Additive daily figures of one dimension value (rebuilt whole, per day, by analytics.rollups).

    Every metric is a sum or a count, so weeks, markets and languages add up; ratios (bounce rate, average
    duration, scroll depth, click-through) are computed when read. Synthetic and real events are never summed
    into the same row.
    """

    day = models.DateField()
    site = models.PositiveSmallIntegerField()
    synthetic = models.BooleanField()
    dimension = models.CharField(max_length=24)
    key = models.CharField(max_length=300, blank=True)
    key2 = models.CharField(max_length=100, blank=True)
    visitors = models.IntegerField(default=0)
    sessions = models.IntegerField(default=0)
    bounces = models.IntegerField(default=0)
    duration_s = models.BigIntegerField(default=0)
    pageviews = models.IntegerField(default=0)
    entries = models.IntegerField(default=0)
    events = models.IntegerField(default=0)
    conversions = models.IntegerField(default=0)
    engaged_ms = models.BigIntegerField(default=0)
    scroll_sum = models.BigIntegerField(default=0)
    scroll_count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "day", "site", "synthetic", "key", "key2"], name="analytics_dailyrollup_unique"
            )
        ]
        # has_synthetic() asks about a period across dimensions; without synthetic rows it would read the whole
        # table (which grows by about 13,000 rows a day). Partial, so reads of real data never pick it.
        indexes = [
            models.Index(fields=["day"], condition=models.Q(synthetic=True), name="analytics_rollup_synthetic_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.key} {self.key2}"


class RollupDay(models.Model):
    """When each day was last rolled up; its row is locked while a worker rebuilds that day."""

    day = models.DateField(primary_key=True)
    rolled_up_at = models.DateTimeField(null=True)
    raw_events = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} rolled up at {self.rolled_up_at}"


@register_snippet
class Funnel(models.Model):
    """Steps a visitor takes in order within one day, counted by the daily rollup (e.g. route → save → booking).

    Each step is an event name, optionally narrowed: `pageview:routes.routepage` (a page type) or
    `outbound:booking` (a goal kind). One step per line.
    """

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    steps = models.TextField(help_text=_("One step per line: pageview:routes.routepage, save, outbound:booking..."))

    panels = [FieldPanel("key"), FieldPanel("name"), FieldPanel("steps")]

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .funnels import parse_step

        steps = self.step_list()
        if not 2 <= len(steps) <= 8:
            raise ValidationError({"steps": _("A funnel has 2 to 8 steps.")})
        for step in steps:
            try:
                parse_step(step)
            except ValueError as error:
                raise ValidationError({"steps": str(error)}) from None


class StatsToken(models.Model):
    """A key for the stats API; only its hash is kept, the key itself is shown once when made."""

    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
