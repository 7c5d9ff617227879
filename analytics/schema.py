"""The intake schema: which events exist and what each may carry. Documented for humans in analytics/EVENTS.md.

Validation is strict and total: anything unexpected is refused with a message naming the field, so a
broken tracker shows up as 400s in the browser console rather than as odd numbers in a report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import IntEnum
from urllib.parse import urlsplit

MAX_BODY_BYTES = 2048
URL_MAX = 1000
TERM_MAX = 100
MAX_ITEMS = 20
MAX_ENGAGED_MS = 6 * 60 * 60 * 1000
# Beyond this age a client-reported delay is not trusted and the intake time is used as is.
MAX_CLIENT_AGE_MS = 10 * 60 * 1000

_CONTROL = re.compile(r"[\x00-\x1f\x7f<>]")
_MODEL_LABEL = re.compile(r"^[a-z_][a-z0-9_]{0,40}\.[a-z_][a-z0-9_]{0,60}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_PLACEMENT = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class EventName(IntEnum):
    """Stored as a small number; the names are the public vocabulary."""

    PAGEVIEW = 1
    ENGAGEMENT = 2
    OUTBOUND = 3
    SEARCH = 4
    NOT_FOUND = 5
    LANGUAGE_SWITCH = 6
    SAVE_ROUTE = 7
    RECOMMENDATION_IMPRESSION = 8
    RECOMMENDATION_CLICK = 9

    @property
    def public_name(self) -> str:
        return _PUBLIC_NAMES[self]


_PUBLIC_NAMES = {
    EventName.PAGEVIEW: "pageview",
    EventName.ENGAGEMENT: "engagement",
    EventName.OUTBOUND: "outbound",
    EventName.SEARCH: "search",
    EventName.NOT_FOUND: "404",
    EventName.LANGUAGE_SWITCH: "language",
    EventName.SAVE_ROUTE: "save",
    EventName.RECOMMENDATION_IMPRESSION: "rec_impression",
    EventName.RECOMMENDATION_CLICK: "rec_click",
}
BY_PUBLIC_NAME = {public: name for name, public in _PUBLIC_NAMES.items()}


class SchemaError(ValueError):
    """A body the intake refuses; `field` says where, the message says why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(slots=True)
class Event:
    """A validated event as the tracker described it, before the server adds what it knows."""

    name: EventName
    url: str
    referrer: str = ""
    page: int | None = None
    page_type: str | None = None
    lang: str = ""
    fallback: bool = False
    age_ms: int = 0
    props: dict = field(default_factory=dict)


def _string(body: dict, key: str, max_length: int, required: bool = False, pattern: re.Pattern | None = None) -> str:
    value = body.get(key)
    if value is None:
        if required:
            raise SchemaError(key, "is required")
        return ""
    if not isinstance(value, str):
        raise SchemaError(key, "must be a string")
    if len(value) > max_length:
        raise SchemaError(key, f"is longer than {max_length} characters")
    if _CONTROL.search(value):
        raise SchemaError(key, "contains control characters or angle brackets")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800" in the JSON): no database or Redis can keep it
            raise SchemaError(key, "is not valid Unicode") from None
    if pattern is not None and value and not pattern.match(value):
        raise SchemaError(key, "has an unexpected format")
    return value


def _integer(body: dict, key: str, low: int, high: int, required: bool = False) -> int | None:
    value = body.get(key)
    if value is None:
        if required:
            raise SchemaError(key, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemaError(key, "must be an integer")
    if not low <= value <= high:
        raise SchemaError(key, f"must be between {low} and {high}")
    return value


def _url(body: dict, key: str, required: bool = False) -> str:
    value = _string(body, key, URL_MAX, required=required)
    if value and not value.startswith(("https://", "http://")):
        raise SchemaError(key, "must be an absolute http(s) URL")
    if value:
        try:
            urlsplit(value)
        except ValueError:  # e.g. "http://[broken": intake splits every URL it keeps
            raise SchemaError(key, "is not a valid URL") from None
    return value


_TOP_LEVEL = {"n", "u", "r", "p", "t", "l", "f", "a", "d"}
_PROPS = {
    EventName.PAGEVIEW: set(),
    EventName.ENGAGEMENT: {"ms", "scroll"},
    EventName.OUTBOUND: {"href"},
    EventName.SEARCH: {"term", "results"},
    EventName.NOT_FOUND: set(),
    EventName.LANGUAGE_SWITCH: {"to"},
    EventName.SAVE_ROUTE: {"route", "saved"},
    EventName.RECOMMENDATION_IMPRESSION: {"routes", "placement"},
    EventName.RECOMMENDATION_CLICK: {"route", "placement", "position"},
}


def _props(name: EventName, raw: object) -> dict:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise SchemaError("d", "must be an object")
    unknown = set(raw) - _PROPS[name]
    if unknown:
        raise SchemaError("d", f"unknown field {sorted(unknown)[0]!r} for {name.public_name}")
    props: dict = {}
    if name is EventName.ENGAGEMENT:
        props["ms"] = _integer(raw, "ms", 0, MAX_ENGAGED_MS, required=True)
        props["scroll"] = _integer(raw, "scroll", 0, 100, required=True)
    elif name is EventName.OUTBOUND:
        props["href"] = _url(raw, "href", required=True)
    elif name is EventName.SEARCH:
        props["term"] = _string(raw, "term", TERM_MAX, required=True).strip()
        props["results"] = _integer(raw, "results", 0, 1_000_000, required=True)
    elif name is EventName.LANGUAGE_SWITCH:
        props["to"] = _string(raw, "to", 16, required=True, pattern=_LANG)
    elif name is EventName.SAVE_ROUTE:
        props["route"] = _integer(raw, "route", 1, 2**31 - 1, required=True)
        saved = raw.get("saved", True)
        if not isinstance(saved, bool):
            raise SchemaError("saved", "must be true or false")
        props["saved"] = saved
    elif name is EventName.RECOMMENDATION_IMPRESSION:
        routes = raw.get("routes")
        if not isinstance(routes, list) or not routes or len(routes) > MAX_ITEMS:
            raise SchemaError("routes", f"must be a list of 1 to {MAX_ITEMS} page ids")
        if any(isinstance(r, bool) or not isinstance(r, int) or not 1 <= r < 2**31 for r in routes):
            raise SchemaError("routes", "must hold page ids (positive integers)")
        props["routes"] = routes
        props["placement"] = _string(raw, "placement", 32, required=True, pattern=_PLACEMENT)
    elif name is EventName.RECOMMENDATION_CLICK:
        props["route"] = _integer(raw, "route", 1, 2**31 - 1, required=True)
        props["placement"] = _string(raw, "placement", 32, required=True, pattern=_PLACEMENT)
        props["position"] = _integer(raw, "position", 1, MAX_ITEMS, required=True)
    return props


def parse_event(body: bytes) -> Event:
    """Turn a request body into an Event, or raise SchemaError."""
    if len(body) > MAX_BODY_BYTES:
        raise SchemaError("body", f"is larger than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SchemaError("body", "is not valid JSON") from None
    if not isinstance(data, dict):
        raise SchemaError("body", "must be a JSON object")
    unknown = set(data) - _TOP_LEVEL
    if unknown:
        raise SchemaError(sorted(unknown)[0], "is not a known field")
    public_name = data.get("n")
    if not isinstance(public_name, str) or public_name not in BY_PUBLIC_NAME:
        raise SchemaError("n", f"must be one of {', '.join(sorted(BY_PUBLIC_NAME))}")
    name = BY_PUBLIC_NAME[public_name]
    fallback = data.get("f", False)
    if not isinstance(fallback, bool):
        raise SchemaError("f", "must be true or false")
    return Event(
        name=name,
        url=_url(data, "u", required=True),
        referrer=_url(data, "r"),
        page=_integer(data, "p", 1, 2**31 - 1),
        page_type=_string(data, "t", 100, pattern=_MODEL_LABEL) or None,
        lang=_string(data, "l", 16, pattern=_LANG),
        fallback=fallback,
        age_ms=_integer(data, "a", 0, 2**31 - 1) or 0,
        props=_props(name, data.get("d")),
    )
