"""The golden fixture of the rollup tests: hand-made events whose every figure is worked out in the tests."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from analytics import rollups
from analytics.anonymous_ids import TOKYO
from analytics.models import DailyRollup, Funnel, RawEvent
from analytics.schema import EventName
from analytics.storage import EVENT, EVENT_COLUMNS, to_millis, write_batch

DAY = dt.date(2026, 10, 14)
NEXT = DAY + dt.timedelta(days=1)


def jst(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TOKYO)


def event(at, visitor, name=EventName.PAGEVIEW, page=None, **values) -> list:
    row = dict.fromkeys(EVENT_COLUMNS)
    row.update(
        at=to_millis(at), site=1, name=int(name), visitor=visitor, synthetic=False, page=page, path="/en/x/",
        lang="en", browser_lang="en-us", fallback=False, country="US", device=1, browser="Chrome", os="Windows",
        channel=0, referrer="",
    )  # fmt: skip
    row.update(values)
    return [EVENT, [row[column] for column in EVENT_COLUMNS]]


TAIWAN = {"country": "TW", "browser_lang": "zh-tw", "lang": "zh-hant"}


@pytest.fixture
def route_type():
    return ContentType.objects.get(app_label="routes", model="routepage").pk


@pytest.fixture
def golden(route_type):
    RawEvent.objects.all().delete()
    DailyRollup.objects.all().delete()
    Funnel.objects.update_or_create(
        key="route-to-booking",
        defaults={"name": "Route to booking", "steps": "pageview:routes.routepage\nsave\noutbound:booking"},
    )
    engaged = EventName.ENGAGEMENT
    write_batch(
        [
            # Visitor 1, from Google in Taiwan: two sessions (a 40-minute gap splits them).
            event(jst(DAY, 10), 1, page=10, page_type=route_type, channel=1, referrer="www.google.com.tw",
                  country="TW", browser_lang="zh-tw", lang="zh-hant"),
            event(jst(DAY, 10, 0, 30), 1, engaged, page=10, value=30_000, scroll=80, **TAIWAN),
            event(jst(DAY, 10, 1), 1, engaged, page=10, value=10_000, scroll=60, **TAIWAN),
            event(jst(DAY, 10, 10), 1, page=11, fallback=True, **TAIWAN),
            event(jst(DAY, 10, 50), 1, page=10, page_type=route_type, **TAIWAN),
            # Visitor 2: one page view at 23:59:59 JST; the next second is another day.
            event(jst(DAY, 23, 59, 59), 2, page=11),
            event(jst(NEXT, 0, 0, 0), 2, page=11),
            # Visitor 3: route, save, booking click: no bounce, a conversion, the whole funnel.
            event(jst(DAY, 12), 3, page=10, page_type=route_type, utm_source="newsletter", utm_medium="email",
                  utm_campaign="autumn", channel=4),
            event(jst(DAY, 12, 2), 3, EventName.SAVE_ROUTE, page=10, item=10, value=1),
            event(jst(DAY, 12, 5), 3, EventName.OUTBOUND, page=10, goal="booking", target="www.jalan.net"),
            event(jst(DAY, 12, 6), 3, engaged, page=10, value=20_000, scroll=100),
            # Visitor 4: booking before the route view: only step 1 of the funnel counts after it... and search.
            event(jst(DAY, 15), 4, EventName.OUTBOUND, page=11, goal="booking", target="www.jalan.net"),
            event(jst(DAY, 15, 1), 4, page=10, page_type=route_type),
            event(jst(DAY, 15, 2), 4, EventName.SEARCH, page=None, target="onsen", value=0),
            event(jst(DAY, 15, 3), 4, EventName.NOT_FOUND, path="/en/nowhere/"),
        ]
    )  # fmt: skip
    rollups.roll_up_day(DAY)
    rollups.roll_up_day(NEXT)
