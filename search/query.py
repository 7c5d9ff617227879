"""Runs a visitor's search over the documents of their language and ranks the hits.

Every word must occur (as a substring of the folded text, see search/text.py) in the title, the English or
romaji alias, the body or the keywords (themes, area). A word that is the whole title (before any bracketed
alternative name) counts most, then one that starts the title, then one inside it; then the alias; then
anywhere else. Ties go to the shorter title (the query is more of what it names), then to routes, spots and
festivals before other pages. One query ranks and counts the hits (a window count), reading the language's
documents once; a second fetches the page of documents shown.
"""

from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import Length, StrIndex
from django.db.models.lookups import GreaterThan
from django.http import HttpRequest
from django.utils.safestring import SafeString
from modeltranslation.utils import build_localized_fieldname
from wagtail.models import Page

from translations.languages import language_name, supported_languages

from .models import PageType, SearchDocument
from .text import highlight, term_variants

PER_PAGE = 10
SNIPPET_CHARS = {"ja": 100, "zh-hant": 90, "zh-hans": 90}
DEFAULT_SNIPPET_CHARS = 180
WHOLE_TITLE, TITLE_START, TITLE, ALIAS, ELSEWHERE = 10, 6, 4, 2, 1


@dataclass
class Hit:
    document: SearchDocument
    url: str
    title_html: SafeString
    snippet_html: SafeString

    @property
    def type_label(self) -> str:
        return PageType(self.document.page_type).label

    @property
    def in_fallback(self) -> bool:
        return self.document.in_fallback

    @property
    def shown_in(self) -> str:
        """The language this page's missing texts are shown in, named in its own script."""
        return language_name(self.document.fallback_language) if self.document.in_fallback else ""


@dataclass
class Results:
    terms: list[str]
    total: int
    page: int
    per_page: int = PER_PAGE
    hits: list[Hit] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def out_of_range(self) -> bool:
        return self.page > self.num_pages

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.per_page + 1

    @property
    def has_previous(self) -> bool:
        return 1 < self.page <= self.num_pages

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def matching_documents(language: str, terms: list[str], page_type: str = "", theme: str = "") -> QuerySet:
    """The language's documents containing every term, annotated with `score`, best first."""
    documents = SearchDocument.objects.filter(language=language)
    if page_type:
        documents = documents.filter(page_type=page_type)
    if theme:
        documents = documents.filter(themes__contains=f" {theme} ")
    phrase = " ".join(terms)
    score = Case(When(_names(phrase), then=Value(WHOLE_TITLE)), default=Value(0), output_field=IntegerField())
    for term in terms:
        # The haystack holds the alias too; only the romaji key of a Latin word is looked for in the alias alone.
        romaji = Q()
        for variant in term_variants(term)[1:]:
            romaji |= _has("alias_folded", variant)
        documents = documents.filter(_has("haystack", term) | romaji)
        score = score + Case(
            When(title_folded__startswith=term, then=Value(TITLE_START)),
            When(_has("title_folded", term), then=Value(TITLE)),
            When(_has("alias_folded", term) | romaji, then=Value(ALIAS)),
            default=Value(ELSEWHERE),
            output_field=IntegerField(),
        )
    return documents.annotate(score=score).order_by("-score", Length("title_folded"), "-boost", "page_id")


def _has(field: str, text: str) -> Q:
    """`field` contains `text`: instr() on SQLite, strpos() on PostgreSQL. Unlike LIKE they need no escaping of
    % and _, and on PostgreSQL they read Thai and CJK text twice as fast (bench/search.py)."""
    return Q(GreaterThan(StrIndex(field, Value(text)), 0))


def _names(phrase: str) -> Q:
    """The title is the phrase, or the phrase followed by another name in brackets: 鶴ヶ城（会津若松城）."""
    return Q(title_folded=phrase) | Q(title_folded__startswith=f"{phrase}(") | Q(title_folded__startswith=f"{phrase} (")


def search(
    terms: list[str],
    language: str,
    *,
    page_type: str = "",
    theme: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
    request: HttpRequest | None = None,
) -> Results:
    """One page of hits for folded `terms` (search.text.query_terms) in `language`, with URLs and snippets.

    Call it with `language` active: URLs are built in the active language.
    """
    if not terms:
        return Results(terms=terms, total=0, page=page, per_page=per_page)
    documents = matching_documents(language, terms, page_type, theme)
    offset = (page - 1) * per_page
    # First the ranking alone (small rows to sort, and the total in the same pass), then the page's documents.
    ranking = documents.annotate(total=Window(Count("pk"))).values_list("pk", "score", "total")
    ranked = list(ranking[offset : offset + per_page])
    total = ranked[0][2] if ranked else (documents.count() if page > 1 else 0)
    by_pk = SearchDocument.objects.defer("haystack", "alias_folded").in_bulk([pk for pk, _score, _total in ranked])
    rows = []
    for pk, score, _total in ranked:
        if row := by_pk.get(pk):  # unless re-indexed in between
            row.score = score
            rows.append(row)
    # URLs need only the page's URL paths (per language): skip its dozens of other translated columns.
    url_paths = ["url_path"] + [build_localized_fieldname("url_path", code) for code in supported_languages()]
    pages = Page.objects.only("pk", *url_paths).in_bulk([row.page_id for row in rows])
    window = SNIPPET_CHARS.get(language, DEFAULT_SNIPPET_CHARS)
    hits = []
    for row in rows:
        url = pages[row.page_id].get_url(request) if row.page_id in pages else None
        if url:
            hits.append(Hit(row, url, highlight(row.title, terms), highlight(row.body, terms, window=window)))
    return Results(terms=terms, total=total, page=page, per_page=per_page, hits=hits)
