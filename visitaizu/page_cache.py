"""Whole-page cache for visitors: a page is the same HTML for everyone in a language, so it is stored once.

Per-visitor parts (saved routes, recommendations, consent) come from JSON endpoints after load, so they never
end up in here. The cache lives in Django's cache (Redis in production), shared by every web process;
publishing anything bumps a generation number and every cached page is ignored from then on.
"""

import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from translations.languages import supported_languages

GENERATION_KEY = "page-cache:generation"
PREFIXES = tuple(f"/{code}/" for code in supported_languages())

T = TypeVar("T")

# The generation a visitor page's request read when it began (set by the middleware for the request's duration).
_request_generation: ContextVar[int | None] = ContextVar("page_cache_generation", default=None)


def invalidate(**_kwargs) -> None:
    """Forget every cached page (signal receivers call this on publish, unpublish and snippet changes)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, secrets.randbits(48), None)


def _read_generation() -> int:
    """The generation in the shared cache; after the cache was emptied, a new random one, so that nothing filed
    under an earlier generation (here or in any process's memo) can match it again."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.randbits(48), None)
        generation = cache.get(GENERATION_KEY, 0)
    return generation


def current_generation() -> int:
    """The content generation: the one a visitor page's request began with, else read from the shared cache."""
    pinned = _request_generation.get()
    return _read_generation() if pinned is None else pinned


def generation(request: HttpRequest) -> int:
    """The current generation, read once per request (before anything is rendered from the database)."""
    if not hasattr(request, "_page_cache_generation"):
        request._page_cache_generation = current_generation()
    return request._page_cache_generation


class GenerationMemo:
    """What this process last read from the shared cache under the current generation, so a render does not ask
    Redis again for what cannot have changed: entries are filed under their generation, which only ever moves on
    (a publish, or a new random one after the cache was emptied), and a newer generation drops them all. Entries
    also expire after the shared entry's own timeout. Bounded by bytes (pages) or count (everything else)."""

    def __init__(self, max_bytes: int | None = None, max_items: int = 1024):
        self.max_bytes, self.max_items = max_bytes, max_items
        self.lock = threading.Lock()
        self.generation: int | None = None
        self.entries: OrderedDict[str, tuple[float, int, Any]] = OrderedDict()  # key → (expiry, size, value)
        self.size = 0

    def get(self, generation: int, key: str) -> Any:
        with self.lock:
            if generation != self.generation or key not in self.entries:
                return None
            expiry, _size, value = self.entries[key]
            if expiry < time.monotonic():
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return value

    def set(self, generation: int, key: str, value: Any, seconds: float, size: int = 1) -> None:
        with self.lock:
            if generation != self.generation:
                self.entries.clear()
                self.size, self.generation = 0, generation
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (time.monotonic() + seconds, size, value)
            self.size += size
            while self.entries and (
                len(self.entries) > self.max_items or (self.max_bytes is not None and self.size > self.max_bytes)
            ):
                self._drop(next(iter(self.entries)))

    def _drop(self, key: str) -> None:
        self.size -= self.entries.pop(key)[1]


_shared_memo = GenerationMemo()
_page_memo = GenerationMemo(max_bytes=settings.PAGE_CACHE_MEMO_BYTES, max_items=sys.maxsize)


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
    return shared_value(key, compute, generation(request))


def shared_value(key: str, compute: Callable[[], T], generation: int | None = None, seconds: int | None = None) -> T:
    """`compute()`, kept under the content generation in the shared cache and in this process (GenerationMemo)."""
    generation = current_generation() if generation is None else generation
    seconds = settings.PAGE_CACHE_SECONDS if seconds is None else seconds
    full_key = f"page-cache:{generation}:shared:{key}"
    value = _shared_memo.get(generation, full_key)
    if value is None:
        value = cache.get(full_key)
        if value is None:
            value = compute()
            cache.set(full_key, value, seconds)
        _shared_memo.set(generation, full_key, value, seconds)
    return value


def any_view_restrictions() -> bool:
    """Whether any page on any site is private (password, login or groups), asked once per publish generation.

    Wagtail asks every page served for the restrictions on it and its ancestors (two queries); on a site with
    none at all that answer is known. Saving or deleting a restriction clears the generation before the change
    (pre_save, pre_delete) and again once it is committed (content.signal_handlers), so no answer computed
    in between outlives it.
    """
    from wagtail.models import PageViewRestriction

    # Read afresh, not the generation the request began with: a restriction saved meanwhile must count at once.
    return shared_value("any-view-restrictions", PageViewRestriction.objects.exists, _read_generation())


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
        if not request.path.startswith(PREFIXES):
            return self.get_response(request)
        token = _request_generation.set(generation(request))  # one read of the generation for the whole render
        try:
            return self._serve(request)
        finally:
            _request_generation.reset(token)

    def _serve(self, request: HttpRequest) -> HttpResponse:
        if not _cacheable_request(request):
            share_site_lookup(request)
            return self.get_response(request)
        current = generation(request)
        key = f"page-cache:{current}:page:{request.get_host()}:{request.path}"
        hit = _page_memo.get(current, key)
        if hit is None:
            hit = cache.get(key)
            if hit is not None:
                # Kept here only as long as it stays in the shared cache (time-bound alerts show on schedule).
                left = hit[2] + settings.PAGE_CACHE_SECONDS - time.time()
                _page_memo.set(current, key, hit, left, size=len(hit[0]))
        if hit is not None:
            content, content_language, _rendered_at = hit
            response = HttpResponse(content, content_type="text/html; charset=utf-8")
            response["Content-Language"] = content_language
            response["X-Page-Cache"] = "hit"
            return response
        share_site_lookup(request)
        response = self.get_response(request)
        if _cacheable_response(response):
            rendered = (response.content, response.get("Content-Language", ""), time.time())
            cache.set(key, rendered, settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response
