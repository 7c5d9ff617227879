"""Page routing by the active language's slug column.

wagtail-modeltranslation routes by loading every child page and comparing each one's fallback-resolved slug in
Python. Every `slug_xx` is filled at save (TranslatedPageMixin.fill_empty_slugs), so the database can match the
column directly: one narrow query per level instead of a wide row per sibling. A page the path only passes through
is not loaded whole (its texts are never shown) when its type routes the same way; only the page served is.
"""

from django.http import Http404, HttpRequest
from modeltranslation.utils import build_localized_fieldname
from wagtail.models import Page
from wagtail.url_routing import RouteResult

from .languages import supported_languages

# What routing needs of a page on the way: its place in the tree, its type and whether it is live.
TREE_FIELDS = ("id", "path", "depth", "numchild", "content_type", "live")


def route_by_localized_slug(self: Page, request: HttpRequest, path_components: list[str]) -> RouteResult:
    if path_components:
        from django.utils.translation import get_language

        language = get_language() if get_language() in supported_languages() else supported_languages()[0]
        slug_field = build_localized_fieldname("slug", language)
        child = self.get_children().filter(**{slug_field: path_components[0]}).only(*TREE_FIELDS).first()
        if child is None:
            raise Http404
        remaining = path_components[1:]
        if remaining and getattr(child.specific_class, "route", None) is route_by_localized_slug:
            return route_by_localized_slug(child, request, remaining)
        return child.specific.route(request, remaining)
    if self.live:
        return RouteResult(self)
    raise Http404
