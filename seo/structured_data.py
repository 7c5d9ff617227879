"""schema.org JSON-LD for every page: the page's own description (`structured_data`) plus its breadcrumbs."""

from decimal import Decimal

from django.http import HttpRequest
from django.utils import translation
from wagtail.models import Page

from translations.languages import language_tag, shown_columns
from translations.routing import page_url


def absolute_url(request: HttpRequest, url: str) -> str:
    return request.build_absolute_uri(url)


def geo(latitude: Decimal, longitude: Decimal) -> dict:
    return {"@type": "GeoCoordinates", "latitude": float(latitude), "longitude": float(longitude)}


def ancestors_below_root(page: Page) -> list[Page]:
    """The page's ancestors from the home page down: those routing passed on its way to the page, when it went all
    the way (translations.routing), else queried."""
    routed = getattr(page, "routed_ancestors", None)
    if routed is not None and [ancestor.depth for ancestor in routed] == list(range(2, page.depth)):
        return routed
    # Titles and URLs are translated on the base Page, so the ancestors need no per-type queries, and no more
    # of each row than its title and URL path (in the active language and those it falls back to).
    fields = ("path", "depth", "content_type", *shown_columns("title", "url_path"))
    return list(page.get_ancestors().filter(depth__gt=1).only(*fields))


def breadcrumbs(page: Page, request: HttpRequest) -> dict:
    trail = [*ancestors_below_root(page), page]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb.title,
                "item": absolute_url(request, page_url(crumb, request)),
            }
            for position, crumb in enumerate(trail, start=1)
        ],
    }


def page_json_ld(page: Page, request: HttpRequest, image_url: str = "") -> list[dict]:
    documents = []
    describe = getattr(page, "structured_data", None)
    if describe is not None:
        data = {"@context": "https://schema.org", **describe(request)}
        data["url"] = absolute_url(request, page_url(page, request))
        data["inLanguage"] = language_tag(translation.get_language())
        data["image"] = image_url
        documents.append({key: value for key, value in data.items() if value not in ("", None)})
    if page.depth > 2:
        documents.append(breadcrumbs(page, request))
    return documents
