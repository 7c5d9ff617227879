"""The site search index (one row per live page per language) and the anonymous log of what visitors searched."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page


class PageType(models.TextChoices):
    ROUTE = "route", _("Route")
    SPOT = "spot", _("Spot")
    EVENT = "event", _("Festival")
    PAGE = "page", _("Page")


class SearchDocument(models.Model):
    """A page as a visitor of one language reads it, folded for substring matching (see search/text.py).

    Built from the text as shown in that language, fallbacks included, so a search only ever sees and
    returns that language's version. `alias` holds the English title and the romaji slug, searched in
    every language so "Tsuruga" finds 鶴ヶ城 on the Japanese site.
    """

    # Columns are in the order a search reads them: SQLite then never walks the long display text of the
    # thousands of rows it only tests (see rebuild_index for the row order).
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=10)
    page_type = models.CharField(max_length=10, choices=PageType.choices)
    # Theme keys between spaces (" onsen history "), so one `contains` filters by theme on any database.
    themes = models.CharField(max_length=500, blank=True)
    # Ties between equally good hits go to the kinds of page visitors come for (routes, then spots...).
    boost = models.PositiveSmallIntegerField(default=0)
    # Empty when the page is in this language; else the language its missing texts are shown in.
    fallback_language = models.CharField(max_length=10, blank=True)
    # Folded (search.text.fold): what queries are compared with.
    title_folded = models.CharField(max_length=255)
    alias_folded = models.TextField(blank=True)
    haystack = models.TextField(help_text="Folded title, alias, body and keywords, one per line.")
    # As shown: for the results list and the snippet.
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "language"], name="search_document_page_language")]
        indexes = [models.Index(fields=["language", "page_type"], name="search_doc_language_type")]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

    @property
    def in_fallback(self) -> bool:
        return bool(self.fallback_language)


class SearchQueryLog(models.Model):
    """How often a term was searched in a language on a day, and how often it found nothing.

    Nothing about the visitor is kept (no address, session, time of day or page seen), so the log needs no
    consent; terms that look like an e-mail address or a phone number are not logged at all.
    """

    day = models.DateField()
    language = models.CharField(max_length=10)
    term = models.CharField(max_length=100)
    searches = models.PositiveIntegerField(default=0)
    zero_result_searches = models.PositiveIntegerField(default=0)
    last_result_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "language", "term"], name="search_query_log_day_language_term")
        ]
        indexes = [models.Index(fields=["day", "language"], name="search_log_day_language")]
        verbose_name = _("site search")
        verbose_name_plural = _("site searches")

    def __str__(self) -> str:
        return f"{self.day} {self.language} {self.term!r} ×{self.searches}"
