"""Page routing by the active language's slug column.

wagtail-modeltranslation routes by loading every child page and comparing each one's fallback-resolved slug in
Python. Every `slug_xx` is filled at save (TranslatedPageMixin.fill_empty_slugs), so the database can match the
column directly: one narrow query finds the page at every level of the path at once (each level's slug matched
at its own depth, under the page found at the level above). Pages the path only passes through are not loaded
whole (their texts are never shown) when their type routes the same way; only the page served is.
"""

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname
from wagtail.models import Page
from wagtail.url_routing import RouteResult

from visitaizu import page_cache
from visitaizu.compiled_queries import CompiledQuery

from .languages import shown_columns, supported_languages

# What routing needs of a page on the way: its place in the tree, its type and whether it is live.
TREE_FIELDS = ("id", "path", "depth", "numchild", "content_type", "live")
# Levels looked up in one query; a longer path (no page here is that deep) goes on from where that one ended.
LEVELS_PER_QUERY = 8


def route_by_localized_slug(self: Page, request: HttpRequest, path_components: list[str]) -> RouteResult:
    if not path_components:
        if self.live:
            return RouteResult(self)
        raise Http404
    levels = path_components[:LEVELS_PER_QUERY]
    depths_and_slugs = [value for offset, slug in enumerate(levels, start=1) for value in (self.depth + offset, slug)]
    children = {}  # parent path -> the child whose slug matches its level (the first by path, as `.first()`)
    for page in _levels(self.path, *depths_and_slugs):
        children.setdefault(page.path[: -page.steplen], page)

    parent, trail = self, [self]
    for position in range(1, len(levels) + 1):
        child = children.get(parent.path)
        if child is None:
            raise Http404
        remaining = path_components[position:]
        model = child.specific_class
        if remaining and getattr(model, "route", None) is route_by_localized_slug:
            parent = child  # passing through: its tree position (and title, for breadcrumbs) is all that is needed
            trail.append(child)
            continue
        page = _whole(child)
        page.routed_ancestors = trail  # seo.structured_data.breadcrumbs: no query of their own
        return page.route(request, remaining)
    return route_by_localized_slug(parent, request, path_components[len(levels) :])


def _pages_at_levels(path: str, *depths_and_slugs: int | str) -> QuerySet[Page]:
    """The pages under `path` whose slug in the active language matches at their depth, for each (depth, slug)."""
    language = get_language() if get_language() in supported_languages() else supported_languages()[0]
    slug_field = build_localized_fieldname("slug", language)
    match = Q()
    for depth, slug in zip(depths_and_slugs[::2], depths_and_slugs[1::2], strict=True):
        match |= Q(depth=depth, **{slug_field: slug})
    fields = (*TREE_FIELDS, *shown_columns("title", "url_path"))  # and what a breadcrumb shows
    return Page.objects.filter(path__startswith=path).filter(match).only(*fields)


_levels = CompiledQuery(Page, _pages_at_levels)
_whole_queries: dict[type[Page], CompiledQuery] = {}


def _whole(page: Page) -> Page:
    """The page in its own type, with the rows its template always shows (`serve_select_related`, e.g. its
    picture and area) joined into the same query instead of fetched one by one while rendering."""
    model = page.specific_class
    related = getattr(model, "serve_select_related", ())
    if model is None or not related:
        return page.specific
    if model not in _whole_queries:
        _whole_queries[model] = CompiledQuery(
            model, lambda pk: model._default_manager.select_related(*related).filter(pk=pk)
        )
    found = _whole_queries[model](page.pk)
    if not found:
        raise Http404  # unpublished or deleted since the routing query
    return found[0]


def page_url(page: Page, request: HttpRequest | None = None) -> str | None:
    """`page.get_url(request)` in the active language, worked out once per page object and language.

    A render asks for the page's own URL several times (language switcher, canonical, JSON-LD, breadcrumbs), and
    Wagtail's `get_url` costs a URL reverse each time. Only for objects that live as long as one render.
    """
    urls = page.__dict__.setdefault("_url_by_language", {})
    language = get_language()
    if language not in urls:
        urls[language] = page.get_url(request)
    return urls[language]


def share_site_root_paths() -> None:
    """wagtail-modeltranslation keeps each language's site root paths in the shared cache but remembers only one
    language per request, so a page's URLs in six languages (switcher, hreflang) cost seven cache reads, each a
    Redis round trip in production. Kept under the page cache's generation instead (visitaizu.page_cache, moved
    on by saving a site or publishing), they are read once per process and generation."""
    from wagtail_modeltranslation import patch_wagtailadmin

    localized = patch_wagtailadmin._localized_site_get_site_root_paths
    if getattr(localized, "shares_root_paths", False):
        return

    def shared() -> list:
        return page_cache.shared_value(f"site-root-paths:{get_language()}", localized)

    shared.shares_root_paths = True
    patch_wagtailadmin._localized_site_get_site_root_paths = shared
