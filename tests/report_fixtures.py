"""The fixture week of the report tests: hand-made events for ISO week 2026-W42 and the week before, rolled up,
with consent answers, a festival annotation and a bot count (every figure is worked out in tests/test_reports.py);
and a logged-in marketer."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from analytics import rollups
from analytics.models import DailyRollup, RawEvent
from analytics.schema import EventName
from analytics.storage import COUNT, write_batch
from consent.models import ConsentAnswer
from reports.models import Annotation
from routes.models import RoutePage, SpotPage
from tests.rollup_fixtures import event, jst

WEEK = (2026, 42)  # Monday 12 – Sunday 18 October 2026
MON, TUE, WED = dt.date(2026, 10, 12), dt.date(2026, 10, 6), dt.date(2026, 10, 7)  # TUE, WED: the week before


@pytest.fixture
def week():
    RawEvent.objects.all().delete()
    DailyRollup.objects.all().delete()
    route, spot = RoutePage.objects.live().first(), SpotPage.objects.live().first()
    route_type = ContentType.objects.get_for_model(RoutePage).pk
    spot_type = ContentType.objects.get_for_model(SpotPage).pk
    taiwan = {"country": "TW", "browser_lang": "zh-tw", "lang": "zh-hant"}
    impression, click = EventName.RECOMMENDATION_IMPRESSION, EventName.RECOMMENDATION_CLICK
    write_batch(
        [
            # This week. Visitor 1 (Taiwan): the route twice, a spot, four recommendation impressions, one click.
            event(jst(MON, 10), 1, page=route.pk, page_type=route_type, utm_source="instagram", utm_medium="social",
                  utm_campaign="autumn-aizu", **taiwan),
            event(jst(MON, 10, 5), 1, page=route.pk, page_type=route_type, **taiwan),
            event(jst(MON, 10, 6), 1, impression, page=route.pk, target="route-page", items="1,2", **taiwan),
            event(jst(MON, 10, 7), 1, impression, page=route.pk, target="route-page", items="1,2", **taiwan),
            event(jst(MON, 10, 8), 1, impression, page=route.pk, target="route-page", items="1,2", **taiwan),
            event(jst(MON, 10, 9), 1, impression, page=route.pk, target="route-page", items="1,2", **taiwan),
            event(jst(MON, 10, 9, 30), 1, click, page=route.pk, target="route-page", item=spot.pk, **taiwan),
            event(jst(MON, 10, 10), 1, page=spot.pk, page_type=spot_type, **taiwan),
            # Visitor 2 (United States): one spot page, nothing else: a bounce.
            event(jst(MON, 18), 2, page=spot.pk, page_type=spot_type, fallback=True, lang="ja"),
            # The week before: one page view each from Taiwan and the US.
            event(jst(TUE, 9), 3, page=route.pk, page_type=route_type, **taiwan),
            event(jst(WED, 9), 4, page=spot.pk, page_type=spot_type),
            [COUNT, MON.isoformat(), "bot", 5],
        ]
    )  # fmt: skip
    for country, answer, n in (("TW", "agreed", 3), ("TW", "declined", 1), ("US", "agreed", 1), ("US", "declined", 1)):
        for _n in range(n):
            ConsentAnswer.objects.create(day=MON, answer=answer, notice_version=1, country=country)
    for day in (MON, TUE, WED):
        rollups.roll_up_day(day)
    Annotation.objects.create(start=dt.date(2026, 10, 10), end=MON, kind="festival", text="Aizu festival")
    Annotation.objects.create(start=dt.date(2026, 10, 19), kind="campaign", text="Next week: not shown")
    return route, spot


@pytest.fixture
def marketer(client, django_user_model):
    """A test client logged in as a member of the Marketers group (and nothing else)."""
    user = django_user_model.objects.create_user("marketer", "m@example.com", "pw")
    user.groups.add(Group.objects.get(name="Marketers"))
    client.force_login(user)
    return client
