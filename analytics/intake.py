"""Turning one tracker request into stored records: validate, drop bots, enrich, hash, rate-limit, keep.

The request's IP address and user agent are used here, in memory, and never leave this module except as the
daily hash, the country and the device/browser/OS family. Synthetic traffic (demo.simulate_visitors) calls
`accept_event` too, with a `Visitor` it made up, so it goes through exactly the same rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest
from django.utils import timezone
from wagtail.models import Site, get_page_models

from consent.models import consented_token_hash

from . import buffer
from .anonymous_ids import tokyo_day, visitor_hash
from .enrichment import (
    browser_language,
    channel_for,
    country_of,
    device_browser_os,
    goal_for,
    host_of,
    is_bot,
    utm_tags,
)
from .models import IntakeCount, ProfileEvent
from .schema import MAX_CLIENT_AGE_MS, Event, EventName, SchemaError, parse_event
from .storage import COUNT, EVENT, EVENT_COLUMNS, PROFILE, to_millis


@dataclass(slots=True)
class Visitor:
    """What intake knows of the sender for this one request."""

    site: int
    visitor: int
    host: str
    user_agent: str
    browser_lang: str
    country: str
    profile_token_hash: str | None = None
    synthetic: bool = False


class Refused(Exception):
    """The request is refused with `status` and a JSON error naming the field."""

    def __init__(self, status: int, field: str, message: str):
        super().__init__(message)
        self.status, self.field, self.message = status, field, message


def client_ip(request: HttpRequest) -> str:
    header = settings.ANALYTICS_CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        if value:
            return value.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


T = TypeVar("T")
_LAST_KNOWN = "analytics:last-known:{name}"


def _last_known(name: str, lookup: Callable[[], T]) -> T:
    """`lookup()` from the database, or, while the database is unreachable, the value any process last read.

    Intake answers from Redis alone: an event it acknowledges is kept while PostgreSQL is down (a restart, a
    failover; the buffer is sized for 10 minutes), also by a web process that started during the outage and
    never saw the database. So the few things intake reads from the database are kept in the shared cache too.
    Only when nobody has ever read them (a new deployment whose database is down) is the event refused, with a
    503, never acknowledged and dropped.
    """
    key = _LAST_KNOWN.format(name=name)
    try:
        value = lookup()
    except DatabaseError:
        value = cache.get(key)
        if value is None:
            raise Refused(503, "server", "events cannot be kept right now; try again later") from None
        return value
    cache.set(key, value, None)
    return value


_sites: dict[tuple[str, int], tuple[float, int]] = {}


def site_id_for(request: HttpRequest, host: str) -> int:
    """Wagtail site of a host name and port; read once a minute per process, not per event."""
    port = request.get_port()
    now = time.monotonic()
    cached = _sites.get((host, port))
    if cached and now - cached[0] < 60:
        return cached[1]

    def lookup() -> int:
        site = Site.find_for_request(request)
        return site.pk if site else 0

    # Remembered for a minute also when it came from the fallback, so an outage costs one attempt a minute.
    site_id = _last_known(f"site:{host}:{port}", lookup)
    _sites[(host, port)] = (now, site_id)
    return site_id


@functools.cache
def _page_type_ids() -> dict[str, int]:
    """{"routes.routepage": content type id, ...}: read once per process (one query), ids never change."""
    models = [model for model in get_page_models() if not model._meta.abstract]
    labels = ",".join(sorted(model._meta.label_lower for model in models))

    def lookup() -> dict[str, int]:
        return {model._meta.label_lower: ct.pk for model, ct in ContentType.objects.get_for_models(*models).items()}

    # Keyed by the set of page models, so a deployment that adds one never reads an older list.
    return _last_known("page-types:" + hashlib.blake2b(labels.encode(), digest_size=8).hexdigest(), lookup)


def visitor_from_request(request: HttpRequest) -> Visitor:
    """Derive the anonymous visitor of this request; IP and user agent are not kept anywhere."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:512]
    host = request.get_host().split(":")[0].lower()
    site = site_id_for(request, host)
    browser_lang = browser_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
    meta = {"_ip": client_ip(request), **request.META} if settings.ANALYTICS_GEOIP_DATABASE else request.META
    country = country_of(meta, browser_lang) or request.COOKIES.get("visitaizu_country", "")[:2].upper()
    return Visitor(
        site=site,
        visitor=visitor_hash(site, client_ip(request), user_agent),
        host=host,
        user_agent=user_agent,
        browser_lang=browser_lang,
        # Two ASCII letters or nothing: "ß".upper() is "SS", and the column holds two characters.
        country=country if len(country) == 2 and country.isascii() and country.isalpha() else "",
        profile_token_hash=consented_token_hash(request),
    )


def _history_record(event: Event, values: dict, token: str, at_ms: int) -> list | None:
    """What a consented visitor's profile remembers of this event, if anything."""
    name = event.name
    if name is EventName.PAGEVIEW and event.page:
        entry = (ProfileEvent.Kind.VIEW, event.page, None)
    elif name is EventName.ENGAGEMENT and event.page:
        entry = (ProfileEvent.Kind.ENGAGED, event.page, event.props["ms"])
    elif name is EventName.SAVE_ROUTE:
        kind = ProfileEvent.Kind.SAVE if event.props["saved"] else ProfileEvent.Kind.UNSAVE
        entry = (kind, event.props["route"], None)
    elif name is EventName.OUTBOUND and values["goal"] == "booking" and event.page:
        entry = (ProfileEvent.Kind.BOOKING, event.page, None)
    elif name is EventName.RECOMMENDATION_CLICK:
        entry = (ProfileEvent.Kind.REC_CLICK, event.props["route"], event.props["position"])
    else:
        return None
    kind, page, value = entry
    return [PROFILE, [token, at_ms, str(kind), page, value]]


def event_values(event: Event, visitor: Visitor, at: dt.datetime) -> dict:
    """The stored columns of one event."""
    if event.lang and event.lang not in dict(settings.LANGUAGES):
        raise Refused(400, "l", "is not a language of this site")
    page_type = None
    if event.page_type:
        page_type = _page_type_ids().get(event.page_type)
        if page_type is None:
            raise Refused(400, "t", "is not a page type of this site")
    parts = urlsplit(event.url)
    referrer_host = host_of(event.referrer)
    utm = utm_tags(event.url) if "utm_" in parts.query else {}
    props = event.props
    values = {
        "path": (parts.path or "/")[:300],
        "referrer": "" if referrer_host == visitor.host else referrer_host[:253],
        "channel": int(channel_for(referrer_host, utm, visitor.host)),
        "utm_source": utm.get("utm_source"),
        "utm_medium": utm.get("utm_medium"),
        "utm_campaign": utm.get("utm_campaign"),
        "goal": None,
        "target": None,
        "item": None,
        "items": None,
        "value": None,
        "scroll": None,
    }
    name = event.name
    if name is EventName.ENGAGEMENT:
        values["value"], values["scroll"] = props["ms"], props["scroll"]
    elif name is EventName.OUTBOUND:
        target = host_of(props["href"])
        values["target"], values["goal"] = target[:253], goal_for(props["href"])
    elif name is EventName.SEARCH:
        values["target"], values["value"] = props["term"], props["results"]
    elif name is EventName.LANGUAGE_SWITCH:
        values["target"] = props["to"]
    elif name is EventName.SAVE_ROUTE:
        values["item"], values["value"] = props["route"], int(props["saved"])
    elif name is EventName.RECOMMENDATION_IMPRESSION:
        values["target"], values["items"] = props["placement"], ",".join(map(str, props["routes"]))[:200]
    elif name is EventName.RECOMMENDATION_CLICK:
        values["target"], values["item"], values["value"] = props["placement"], props["route"], props["position"]
    device, browser, os_family = device_browser_os(visitor.user_agent)
    values.update(
        at=to_millis(at),
        site=visitor.site,
        name=int(name),
        visitor=visitor.visitor,
        synthetic=visitor.synthetic,
        page=event.page,
        page_type=page_type,
        lang=event.lang,
        browser_lang=visitor.browser_lang,
        fallback=event.fallback,
        country=visitor.country,
        device=int(device),
        browser=browser,
        os=os_family,
    )
    return values


def accept_event(event: Event, visitor: Visitor, at: dt.datetime | None = None) -> bool:
    """Keep one validated event; False when the visitor is over the rate limit."""
    now = timezone.now()
    if at is None:
        age = event.age_ms if event.age_ms <= MAX_CLIENT_AGE_MS else 0
        at = now - dt.timedelta(milliseconds=age)
    values = event_values(event, visitor, at)
    record = [EVENT, [values[column] for column in EVENT_COLUMNS]]
    history = None
    if visitor.profile_token_hash:
        history = _history_record(event, values, visitor.profile_token_hash, values["at"])
    over_limit = [COUNT, tokyo_day(now).isoformat(), IntakeCount.Kind.RATE_LIMITED.value, 1]
    return buffer.accept(f"{visitor.site}:{visitor.visitor}", record, over_limit, history)


def accept_request(request: HttpRequest) -> str:
    """Handle one tracker request; returns "accepted" or "bot", raises Refused otherwise."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > 2048:
        raise Refused(413, "body", "is larger than 2048 bytes")
    origin = request.META.get("HTTP_ORIGIN")
    if origin and host_of(origin) != request.get_host().split(":")[0].lower():
        raise Refused(403, "origin", "events are accepted from this site's own pages only")
    try:
        event = parse_event(request.body)
    except SchemaError as error:
        status = 413 if error.field == "body" and "larger" in error.message else 400
        raise Refused(status, error.field, error.message) from None
    if is_bot(request.META.get("HTTP_USER_AGENT", "")):
        buffer.keep([[COUNT, tokyo_day().isoformat(), IntakeCount.Kind.BOT.value, 1]])
        return "bot"
    if not accept_event(event, visitor_from_request(request)):
        raise Refused(429, "visitor", "too many events; try again in a minute")
    return "accepted"
