"""Consent answers and the profile a visitor gets only by agreeing.

Before consent nothing here holds an identifier: `ConsentAnswer` rows are counts by day, country and notice
version. A `VisitorProfile` exists only while its visitor agrees; deleting it (withdrawal) deletes its saved
routes, interests and history in the same statement, through the foreign keys.
"""

import hashlib

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet


@register_snippet
class ConsentNotice(models.Model):
    """What the consent dialog says, in every language; the newest version is the one shown.

    A visitor who agreed to an older version is asked again, and each answer records the version it was given to.
    """

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=120)
    data_collected = models.TextField(help_text=_("Which data a profile keeps."))
    purpose = models.TextField(help_text=_("What the data is used for."))
    recipients = models.TextField(help_text=_("Who receives the data (and that nobody else does)."))
    published_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("version"),
        FieldPanel("title"),
        FieldPanel("data_collected"),
        FieldPanel("purpose"),
        FieldPanel("recipients"),
    ]

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}: {self.title}"


class ConsentAnswer(models.Model):
    """One answer to the dialog, with no identifier: enough to count consent rates by country and version."""

    class Answer(models.TextChoices):
        AGREED = "agreed", _("agreed")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrew")

    day = models.DateField()
    answer = models.CharField(max_length=16, choices=Answer.choices)
    notice_version = models.PositiveIntegerField()
    country = models.CharField(max_length=2, blank=True)
    language = models.CharField(max_length=16, blank=True)
    synthetic = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["day"], name="consent_answer_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.answer} (v{self.notice_version}, {self.country or '?'})"


CONSENT_COOKIE = "visitaizu_consent"  # the answer and notice version only, e.g. "agreed.2": no identifier
VISITOR_COOKIE = "visitaizu_visitor"  # the random profile token, set only after agreeing


def hash_token(token: str) -> str:
    """Profiles are found by a hash of the cookie's token, so a copy of the database cannot log anyone in."""
    return hashlib.sha256(token.encode()).hexdigest()


def gpc(request: HttpRequest) -> bool:
    """Global Privacy Control counts as "no thanks" (DEVELOPERS.md)."""
    return request.META.get("HTTP_SEC_GPC") == "1"


def consented_token_hash(request: HttpRequest) -> str | None:
    """The profile key of a visitor who agreed and still has the cookie; None for everyone else."""
    token = request.COOKIES.get(VISITOR_COOKIE)
    if not token or gpc(request) or not request.COOKIES.get(CONSENT_COOKIE, "").startswith("agreed"):
        return None
    return hash_token(token)


class VisitorProfile(models.Model):
    """A consented visitor: saved routes, interests and (in analytics.ProfileEvent) history across visits."""

    token_hash = models.CharField(max_length=64, unique=True)
    notice_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)
    country = models.CharField(max_length=2, blank=True)
    language = models.CharField(max_length=16, blank=True)
    interests = models.JSONField(default=list, blank=True, help_text=_("Theme keys the visitor picked."))
    travel_month = models.PositiveSmallIntegerField(null=True, blank=True)
    party = models.CharField(max_length=16, blank=True)
    synthetic = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"profile {self.pk}"


class SavedRoute(models.Model):
    profile = models.ForeignKey(VisitorProfile, on_delete=models.CASCADE, related_name="saved_routes")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["saved_at"]
        constraints = [models.UniqueConstraint(fields=["profile", "page"], name="consent_savedroute_once")]

    def __str__(self) -> str:
        return f"page {self.page_id} saved by profile {self.profile_id}"
