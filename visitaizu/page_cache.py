"""Whole-page cache for visitors: a page is the same HTML for everyone in a language, so it is stored once.

Per-visitor parts (saved routes, recommendations, consent) come from JSON endpoints after load, so they never
end up in here. The cache lives in Django's cache (Redis in production), shared by every web process;
publishing anything bumps a generation number and every cached page is ignored from then on.
"""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from translations.languages import supported_languages

GENERATION_KEY = "page-cache:generation"
PREFIXES = tuple(f"/{code}/" for code in supported_languages())

T = TypeVar("T")


def invalidate(**_kwargs) -> None:
    """Forget every cached page (signal receivers call this on publish, unpublish and snippet changes)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def generation(request: HttpRequest) -> int:
    """The current generation, read once per request (before anything is rendered from the database)."""
    if not hasattr(request, "_page_cache_generation"):
        request._page_cache_generation = cache.get(GENERATION_KEY, 0)
    return request._page_cache_generation


def _shared_key(request: HttpRequest, key: str) -> str:
    return f"page-cache:{generation(request)}:shared:{key}"


def _shares(request: HttpRequest | None) -> bool:
    # Previews show what is not published yet; without a request there is no generation to file it under.
    return request is not None and not getattr(request, "is_preview", False)


def shared(request: HttpRequest | None, key: str, compute: Callable[[], T]) -> T:
    """Something every page shows the same for every visitor (the site, the header and footer), computed once per
    publish and shared by every page and every web process.

    Unlike whole pages it also serves renders the page cache does not answer (pages with a query string, staff).
    It lives next to the pages, under the same generation, so whatever clears them clears it too. Previews
    compute it afresh. `key` must name everything the value depends on besides published content (language,
    host, page).
    """
    if not _shares(request):
        return compute()
    full_key = _shared_key(request, key)
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, settings.PAGE_CACHE_SECONDS)
    return value


def any_view_restrictions() -> bool:
    """Whether any page on any site is private (password, login or groups), asked once per publish generation.

    Wagtail asks every page served for the restrictions on it and its ancestors (two queries); on a site with
    none at all that answer is known. Saving or deleting a restriction clears the generation before the change
    (pre_save, pre_delete) and again once it is committed (content.signal_handlers), so no answer computed
    in between outlives it.
    """
    from wagtail.models import PageViewRestriction

    key = f"page-cache:{cache.get(GENERATION_KEY, 0)}:any-view-restrictions"
    found = cache.get(key)
    if found is None:
        found = PageViewRestriction.objects.exists()
        cache.set(key, found, settings.PAGE_CACHE_SECONDS)
    return found


class ViewRestrictionShortcutMixin:
    """For every page type (before `Page` in the bases): no restriction query while the site has none."""

    def get_view_restrictions(self):
        if any_view_restrictions():
            return super().get_view_restrictions()
        from wagtail.models import PageViewRestriction

        return PageViewRestriction.objects.none()


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and request.path.startswith(PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES  # staff see previews and userbars
    )


def _cacheable_response(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def share_site_lookup(request: HttpRequest) -> None:
    """Wagtail finds the site for every page it serves (one query), then loads its root page in its own type to
    route from it (another). Both are the same for everyone on a host, so they are shared like the pages, and
    Wagtail is handed the result the way it keeps its own per-request lookup (`Site.find_for_request`).
    Saving or deleting a site clears the page cache (content.signal_handlers)."""
    from wagtail.models import Site

    def find() -> Site | bool:
        site = Site.find_for_request(request)
        if site is None:
            return False
        site.root_page = site.root_page.specific
        return site

    site = shared(request, f"site:{request.get_host()}:{request.get_port()}", find)
    request._wagtail_site = site or None


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable_request(request):
            if request.path.startswith(PREFIXES):
                share_site_lookup(request)
            return self.get_response(request)
        key = f"page-cache:{generation(request)}:{request.get_host()}:{request.path}"
        hit = cache.get(key)
        if hit is not None:
            content, content_language = hit
            response = HttpResponse(content, content_type="text/html; charset=utf-8")
            response["Content-Language"] = content_language
            response["X-Page-Cache"] = "hit"
            return response
        share_site_lookup(request)
        response = self.get_response(request)
        if _cacheable_response(response):
            cache.set(key, (response.content, response.get("Content-Language", "")), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response
