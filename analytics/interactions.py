"""The public way other apps read what visitors did with pages: interactions for the route recommender.

Analytics knows pages and page types, not routes: the caller says which page type it cares about.
Two kinds of visitor come out of here, as the privacy rules allow:
- `day:<date>:<hash>`: an anonymous visitor for one Tokyo day (ids change daily, so nothing links days);
- `profile:<id>`: a visitor who agreed to a profile, with history across visits. Withdrawing deletes the
  profile and its history, so the next model never sees them.
A consented visitor's events also appear among the anonymous ones (raw events never carry the profile).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from .anonymous_ids import TOKYO
from .models import ProfileEvent, RawEvent
from .schema import EventName

# How much each kind of interaction says about liking a route.
VIEW, SAVE, BOOKING, REC_CLICK = 1.0, 3.0, 5.0, 1.0
ENGAGED_PER_MINUTE, ENGAGED_CAP = 1.0, 3.0


@dataclass
class Visitor:
    """What is known of one visitor, for features: country, languages, device; and for profiles, choices."""

    key: str
    country: str = ""
    lang: str = ""
    browser_lang: str = ""
    device: int = 0
    interests: list[str] = field(default_factory=list)
    travel_month: int | None = None
    party: str = ""
    returning: bool = False


@dataclass
class Interaction:
    visitor: str
    page: int
    weight: float
    day: dt.date


def _tokyo_day(utc_hour: str) -> tuple[dt.date, str]:
    """ "YYYY-MM-DD HH" (UTC) → its Tokyo day and that day's visitor key prefix."""
    day = dt.datetime.strptime(utc_hour, "%Y-%m-%d %H").replace(tzinfo=dt.UTC).astimezone(TOKYO).date()
    return day, f"day:{day.isoformat()}:"


def _engaged_weight(ms: int) -> float:
    return min(ms / 60_000 * ENGAGED_PER_MINUTE, ENGAGED_CAP)


def route_interactions(
    page_type: str, since: dt.datetime, until: dt.datetime, synthetic: bool | None = False
) -> tuple[list[Interaction], dict[str, Visitor]]:
    """Weighted (visitor, page) interactions with pages of `page_type` ("routes.routepage") in [since, until).

    Views count 1 plus up to 3 for engaged time (a minute each), saves 3, booking clicks on the page 5, clicks on
    a recommendation 1. `synthetic`: False for real data only, True for synthetic only, None for both (a demo).
    """
    app_label, _, model = page_type.partition(".")
    type_id = ContentType.objects.get(app_label=app_label, model=model).pk
    events = RawEvent.objects.filter(at__gte=since, at__lt=until)
    if synthetic is not None:
        events = events.filter(synthetic=synthetic)
    route_ids = set(events.filter(name=EventName.PAGEVIEW, page_type=type_id).values_list("page", flat=True).distinct())
    weights: dict[tuple[str, int, dt.date], float] = defaultdict(float)
    visitors: dict[str, Visitor] = {}
    rows = events.filter(
        Q(name=EventName.PAGEVIEW, page_type=type_id)
        | Q(name=EventName.ENGAGEMENT, page__in=route_ids)
        | Q(name=EventName.SAVE_ROUTE, item__in=route_ids, value=1)
        | Q(name=EventName.OUTBOUND, goal="booking", page__in=route_ids)
        | Q(name=EventName.RECOMMENDATION_CLICK, item__in=route_ids)
    ).values_list(
        Cast("at", CharField()), "visitor", "name", "page", "item", "value", "country", "lang", "browser_lang", "device"
    )
    # The time as text (UTC, "YYYY-MM-DD HH:MM:SS..." on SQLite and PostgreSQL alike): its hour gives the Tokyo day
    # (a whole-hour offset), looked up once per hour instead of converting millions of datetimes.
    days: dict[str, tuple[dt.date, str]] = {}
    for stamp, visitor_hash, name, page, item, value, country, lang, browser_lang, device in rows.iterator(10_000):
        found = days.get(stamp[:13])
        if found is None:
            found = days[stamp[:13]] = _tokyo_day(stamp[:13])
        day, prefix = found
        key = prefix + str(visitor_hash)
        if key not in visitors:
            visitors[key] = Visitor(key, country, lang, browser_lang, device)
        if name == EventName.PAGEVIEW:
            weights[(key, page, day)] += VIEW
        elif name == EventName.ENGAGEMENT:
            weights[(key, page, day)] += _engaged_weight(value or 0)
        elif name == EventName.SAVE_ROUTE:
            weights[(key, item, day)] += SAVE
        elif name == EventName.OUTBOUND:
            weights[(key, page, day)] += BOOKING
        else:
            weights[(key, item, day)] += REC_CLICK
    _add_profiles(weights, visitors, route_ids, since, until, synthetic)
    interactions = [Interaction(key, page, round(weight, 3), day) for (key, page, day), weight in weights.items()]
    return interactions, visitors


def _add_profiles(weights, visitors, route_ids, since, until, synthetic) -> None:
    from consent.models import VisitorProfile

    history = ProfileEvent.objects.filter(at__gte=since, at__lt=until, page__in=route_ids)
    if synthetic is not None:
        history = history.filter(profile__synthetic=synthetic)
    kind_weight = {
        ProfileEvent.Kind.VIEW: VIEW,
        ProfileEvent.Kind.SAVE: SAVE,
        ProfileEvent.Kind.BOOKING: BOOKING,
        ProfileEvent.Kind.REC_CLICK: REC_CLICK,
    }
    seen_profiles = set()
    for profile_id, at, kind, page, value in history.values_list("profile_id", "at", "kind", "page", "value").iterator(
        2000
    ):
        key = f"profile:{profile_id}"
        seen_profiles.add(profile_id)
        day = at.astimezone(TOKYO).date()
        if kind == ProfileEvent.Kind.ENGAGED:
            weights[(key, page, day)] += _engaged_weight(value or 0)
        elif kind in kind_weight:
            weights[(key, page, day)] += kind_weight[kind]
    for profile in VisitorProfile.objects.filter(pk__in=seen_profiles):
        visitors[f"profile:{profile.pk}"] = Visitor(
            key=f"profile:{profile.pk}",
            country=profile.country,
            lang=profile.language,
            interests=list(profile.interests or []),
            travel_month=profile.travel_month,
            party=profile.party,
            returning=True,
        )
