"""Golden fixtures: hand-made events whose every rollup figure is worked out by hand below."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics import rollups
from analytics.models import DailyRollup, IntakeCount, RawEvent, TouchedDay
from analytics.queries import SUMS, Period, breakdown, timeseries, totals
from analytics.storage import write_batch
from tests.rollup_fixtures import DAY, NEXT, event, jst

pytestmark = pytest.mark.django_db


def rows(dimension: str, day: dt.date = DAY) -> dict:
    return {(r.key, r.key2): r for r in DailyRollup.objects.filter(day=day, dimension=dimension, synthetic=False)}


def test_sessions_bounces_and_duration(golden):
    site = rows("site")[("", "")]
    assert site.visitors == 4
    assert site.sessions == 5  # visitor 1 has two; 2, 3 and 4 one each
    # bounces: visitor 1's second session and visitor 2 (one view each, nothing else); visitors 3 and 4 clicked
    # out to a booking site (an interaction), so theirs are not bounces although each viewed one page.
    assert site.bounces == 2
    assert site.pageviews == 6
    # durations: v1 s1 10:00-10:10 = 600 s, v1 s2 0, v2 0, v3 12:00-12:06 = 360, v4 15:00-15:03 = 180
    assert site.duration_s == 600 + 360 + 180
    assert site.conversions == 2
    assert site.engaged_ms == 60_000
    series = {row["day"]: row for row in timeseries(Period(DAY, NEXT))}
    assert series[DAY.isoformat()]["bounce_rate"] == 40.0
    assert series[DAY.isoformat()]["visit_duration_s"] == 228.0


def test_tokyo_day_boundary_and_multi_day_visitors(golden):
    assert rows("site", NEXT)[("", "")].pageviews == 1
    assert rows("site", NEXT)[("", "")].visitors == 1
    # Over both days, visitors are the sum of daily uniques (ids change at midnight in Tokyo).
    assert totals(Period(DAY, NEXT))["visitors"] == 5


def test_pages_entries_scroll_and_engaged_time(golden, route_type):
    page = rows("page")[("10", str(route_type))]
    assert page.pageviews == 4 and page.visitors == 3 and page.entries == 3
    assert page.engaged_ms == 60_000
    # deepest scroll per visitor on page 10: visitor 1 -> 80, visitor 3 -> 100
    assert (page.scroll_sum, page.scroll_count) == (180, 2)
    assert rows("page_fallback")[("11", "zh-hant")].pageviews == 1
    assert rows("page_country")[("10", "TW")].pageviews == 2


def test_sources_goals_searches_and_404s(golden):
    channels = rows("channel")
    assert channels[("1", "")].sessions == 1 and channels[("4", "")].sessions == 1
    assert channels[("0", "")].sessions == 3
    assert rows("referrer")[("www.google.com.tw", "")].visitors == 1
    campaign = rows("campaign")[("autumn", "newsletter / email")]
    assert (campaign.sessions, campaign.conversions) == (1, 1)
    goal = rows("goal")[("booking", "www.jalan.net")]
    assert (goal.events, goal.visitors) == (2, 2)
    assert rows("search_no_result")[("onsen", "")].events == 1
    assert rows("not_found")[("/en/nowhere/", "")].events == 1
    assert rows("lang_fit")[("zh-tw", "zh-hant")].sessions == 2


def test_funnel_counts_steps_in_order(golden):
    funnel = rows("funnel")
    # Step 1 (route view): visitors 1, 3, 4. Step 2 (save after it): 3. Step 3 (booking after the save): 3.
    # Visitor 4 clicked booking *before* viewing a route and never saved: only step 1.
    assert funnel[("route-to-booking", "1")].visitors == 3
    assert funnel[("route-to-booking", "2")].visitors == 1
    assert funnel[("route-to-booking", "3")].visitors == 1


def snapshot() -> list[tuple]:
    fields = ("day", "dimension", "key", "key2", *(field for field in SUMS))
    return sorted(DailyRollup.objects.values_list(*fields))


@pytest.mark.parametrize("killed_in", ["_funnels", "_consent_answers"])  # computing; writing (old rows deleted)
def test_rerun_and_kill_and_rerun_leave_identical_rows(golden, monkeypatch, killed_in):
    before = snapshot()
    rollups.roll_up_day(DAY)
    assert snapshot() == before

    def killed(*args):
        raise KeyboardInterrupt("worker killed halfway")

    monkeypatch.setattr(rollups, killed_in, killed)
    with pytest.raises(KeyboardInterrupt):
        rollups.roll_up_day(DAY)
    monkeypatch.undo()
    assert snapshot() == before  # the half-done rebuild was rolled back
    rollups.roll_up_day(DAY)
    assert snapshot() == before


def test_rollup_runs_under_the_debug_cursor(golden):
    """Workers with DEBUG on (and query capture) wrap cursors in Django's debug cursor, whose COPY takes no
    parameters."""
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        rollups.roll_up_day(DAY)
    assert queries.captured_queries
    assert snapshot() == before


def test_a_day_without_events_has_no_rows(golden):
    empty = DAY - dt.timedelta(days=30)
    assert rollups.roll_up_day(empty) == 0
    assert not DailyRollup.objects.filter(day=empty).exists()
    assert rollups.roll_up_day(DAY) == RawEvent.objects.filter(at__gte=jst(DAY, 0), at__lt=jst(NEXT, 0)).count()


def test_late_events_mark_their_day_and_are_counted_when_it_is_rebuilt(golden):
    TouchedDay.objects.all().delete()
    late_before = IntakeCount.objects.get(day=DAY, kind="late").count
    write_batch([event(jst(DAY, 18), 9, page=12)])
    assert TouchedDay.objects.filter(day=DAY).exists()
    assert IntakeCount.objects.get(day=DAY, kind="late").count == late_before + 1
    assert DAY in rollups.days_to_roll_up(dt.date.today())
    rollups.roll_up_day(DAY)
    assert rows("site")[("", "")].pageviews == 7
    assert not TouchedDay.objects.filter(day=DAY).exists()


def test_synthetic_events_are_never_mixed_with_real_ones(golden):
    write_batch([event(jst(DAY, 9), 77, page=10, synthetic=True), event(jst(DAY, 9, 1), 77, page=11, synthetic=True)])
    rollups.roll_up_day(DAY)
    assert totals(Period(DAY, DAY))["pageviews"] == 6
    assert totals(Period(DAY, DAY), synthetic=True)["pageviews"] == 2
    assert {row["key"] for row in breakdown(Period(DAY, DAY), "page", synthetic=True)} == {"10", "11"}


def test_no_temporary_tables_are_left_behind(golden):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
            assert cursor.fetchall() == []
