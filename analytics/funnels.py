"""Funnel steps: an event name, optionally narrowed to a page type or a goal kind."""

from __future__ import annotations

import re

from .schema import BY_PUBLIC_NAME, EventName

_QUALIFIER = re.compile(r"^[a-z0-9_.-]{1,60}$")


def parse_step(step: str) -> tuple[EventName, str | None]:
    """`"pageview:routes.routepage"` → (PAGEVIEW, "routes.routepage"); raises ValueError with a readable reason."""
    name, _, qualifier = step.strip().partition(":")
    if name not in BY_PUBLIC_NAME:
        raise ValueError(f"“{step}”: unknown event; use one of {', '.join(sorted(BY_PUBLIC_NAME))}")
    event = BY_PUBLIC_NAME[name]
    if not qualifier:
        return event, None
    if event not in (EventName.PAGEVIEW, EventName.OUTBOUND) or not _QUALIFIER.match(qualifier):
        raise ValueError(f"“{step}”: only pageview:<page type> and outbound:<goal kind> can be narrowed")
    return event, qualifier
