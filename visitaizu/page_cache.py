"""Whole-page cache for visitors: a page is the same HTML for everyone in a language, so it is stored once.

Per-visitor parts (saved routes, recommendations, consent) come from JSON endpoints after load, so they never
end up in here. The cache lives in Django's cache (Redis in production), shared by every web process;
publishing anything bumps a generation number and every cached page is ignored from then on.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from translations.languages import supported_languages

GENERATION_KEY = "page-cache:generation"
PREFIXES = tuple(f"/{code}/" for code in supported_languages())


def invalidate(**_kwargs) -> None:
    """Forget every cached page (signal receivers call this on publish, unpublish and snippet changes)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


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


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable_request(request):
            return self.get_response(request)
        generation = cache.get(GENERATION_KEY, 0)
        key = f"page-cache:{generation}:{request.get_host()}:{request.path}"
        hit = cache.get(key)
        if hit is not None:
            content, content_language = hit
            response = HttpResponse(content, content_type="text/html; charset=utf-8")
            response["Content-Language"] = content_language
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _cacheable_response(response):
            cache.set(key, (response.content, response.get("Content-Language", "")), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response
