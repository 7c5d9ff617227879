"""Shared helpers for the analytics intake and consent tests; they work with the Redis buffer and without it.

With REDIS_URL set (ANALYTICS_BUFFER = "redis") accepted events wait in Redis and reach the database only after
`analytics.buffer.drain()`; with the direct buffer they are written at once. `post_event` hides the difference.
"""

from __future__ import annotations

import hashlib
import json

from django.db.models import Sum

from analytics import anonymous_ids, buffer, enrichment
from analytics.anonymous_ids import tokyo_day
from analytics.models import IntakeCount, ProfileEvent, RawEvent
from consent.models import ConsentNotice, VisitorProfile

# Ordinary browsers: the crawler list treats HeadlessChrome, curl and python-requests as bots.
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
)
FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
    "Mobile Safari/537.36"
)
IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Mobile/15E148 Safari/604.1"
)

SITE_URL = "http://testserver"


def reset_analytics_state() -> None:
    """Call where the cache is cleared or the clock changes: per-process memos must re-read the shared state.

    The salt memo, and the goal-domain list (a test's rows vanish in its rollback without a delete signal).
    """
    anonymous_ids.forget_memo()
    enrichment._goal_domains_changed()


def event(name: str = "pageview", url: str = SITE_URL + "/en/", **fields) -> dict:
    """A valid tracker body; `fields` adds or overrides top-level keys (n, u, r, p, t, l, f, a, d)."""
    return {"n": name, "u": url, **fields}


def drain() -> int:
    """Write everything the Redis buffer holds (nothing to do with the direct buffer)."""
    written = 0
    if buffer.uses_redis():
        while buffer.pending_count():
            n = buffer.drain()
            written += n
            if not n:  # nothing written although records wait: let the test see it rather than loop forever
                break
    return written


def post_event(client, body, *, user_agent: str = CHROME, drain_after: bool = True, **extra):
    """POST one body to /api/events as a browser's beacon would (text/plain), then drain when buffered.

    `body` is a dict (sent as JSON), str or bytes (sent as is). `extra` goes to the request's META, e.g.
    REMOTE_ADDR="203.0.113.1", HTTP_SEC_GPC="1", HTTP_ACCEPT_LANGUAGE="zh-TW".
    """
    if isinstance(body, dict | list):
        body = json.dumps(body)
    response = client.post(
        "/api/events", data=body, content_type="text/plain;charset=UTF-8", HTTP_USER_AGENT=user_agent, **extra
    )
    if drain_after:
        drain()
    return response


def intake_count(kind: str, day=None) -> int:
    day = day or tokyo_day()
    return IntakeCount.objects.filter(day=day, kind=kind).aggregate(n=Sum("count"))["n"] or 0


def stored_state() -> dict:
    """Everything intake could have kept, to compare before and after a refused request."""
    return {
        "raw_events": RawEvent.objects.count(),
        "intake_counts": IntakeCount.objects.aggregate(n=Sum("count"))["n"] or 0,
        "intake_rows": IntakeCount.objects.count(),
        "profile_events": ProfileEvent.objects.count(),
        "pending": buffer.pending_count(),
    }


def current_notice() -> ConsentNotice:
    """The consent notice now shown; made here when the demo content has none."""
    notice = ConsentNotice.objects.first()
    if notice is None:
        notice = ConsentNotice.objects.create(
            version=1,
            title="Your travel profile",
            data_collected="Saved routes, interests and the pages you viewed.",
            purpose="Recommending routes.",
            recipients="VisitAizu only.",
        )
    return notice


def agree(client, notice: ConsentNotice, saved_routes=(), language: str = "en", **extra):
    return client.post(
        "/api/consent",
        data=json.dumps(
            {"answer": "agree", "version": notice.version, "language": language, "saved_routes": list(saved_routes)}
        ),
        content_type="application/json",
        **{"HTTP_USER_AGENT": CHROME, **extra},
    )


def post_json(client, path: str, payload, **extra):
    return client.post(
        path,
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_USER_AGENT=extra.pop("user_agent", CHROME),
        **extra,
    )


def profile_of(client) -> VisitorProfile:
    """The profile whose token the client's visitaizu_visitor cookie holds."""
    token = client.cookies["visitaizu_visitor"].value
    return VisitorProfile.objects.get(token_hash=hashlib.sha256(token.encode()).hexdigest())
