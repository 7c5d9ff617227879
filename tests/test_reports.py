"""The weekly report and KPI targets: the hand-made fixture week (tests/report_fixtures.py), every figure worked
out by hand."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from analytics.models import DailyRollup
from analytics.queries import market_of_countries
from reports.models import Kpi, KpiMonthlyValue, KpiTarget, year_bounds, year_of
from reports.weekly import (
    build_weekly_report,
    change,
    entered_kpi_progress,
    iso_week_period,
    last_complete_week,
    same_week_last_year,
    site_kpi_progress,
)
from tests.report_fixtures import MON, WEEK

pytestmark = pytest.mark.django_db

# -- years and targets ------------------------------------------------------------------------------------------


def test_fiscal_year_runs_april_to_march():
    assert year_of(Kpi.YearBasis.FISCAL, dt.date(2027, 3, 31)) == 2026
    assert year_of(Kpi.YearBasis.FISCAL, dt.date(2027, 4, 1)) == 2027
    assert year_of(Kpi.YearBasis.FISCAL, dt.date(2027, 1, 1)) == 2026
    assert year_bounds(Kpi.YearBasis.FISCAL, 2026) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    start, end = year_bounds(Kpi.YearBasis.FISCAL, 2027)  # holds 29 February 2028
    assert (end - start).days + 1 == 366


def test_calendar_year_runs_january_to_december():
    assert year_of(Kpi.YearBasis.CALENDAR, dt.date(2027, 3, 31)) == 2027
    assert year_of(Kpi.YearBasis.CALENDAR, dt.date(2026, 12, 31)) == 2026
    assert year_bounds(Kpi.YearBasis.CALENDAR, 2026) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_city_kpis_and_fy2024_targets_are_loaded():
    targets = {t.kpi.key: (t.kpi.year_basis, t.target) for t in KpiTarget.objects.filter(year=2024)}
    assert targets == {
        "inbound-site-pageviews": ("fiscal", 600_000),
        "foreign-overnight-guests": ("calendar", 32_700),
        "tourist-arrivals": ("calendar", 3_950_000),
        "school-trip-schools": ("calendar", 808),
        "industrial-tourism-visitors": ("calendar", 2_600),
    }
    assert Kpi.objects.get(key="inbound-site-pageviews").source == Kpi.Source.SITE_PAGEVIEWS


def test_page_view_progress_counts_the_fiscal_year(week):
    kpi = Kpi.objects.get(key="inbound-site-pageviews")
    KpiTarget.objects.create(kpi=kpi, year=2026, target=365_000)
    progress = site_kpi_progress(kpi, dt.date(2026, 10, 18))
    assert progress["year"] == 2026
    assert (progress["start"], progress["end"]) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    # 1 April – 18 October: 30 + 31 + 30 + 31 + 31 + 30 + 18 = 201 days of 365, so 201,000 expected by now
    assert progress["expected"] == 201_000
    assert progress["actual"] == 4 + 2  # this week's four page views and last week's two
    assert progress["on_track"] is False
    # In March 2027 the same fiscal year (and its target) still applies; on 1 April 2027 a new one begins.
    assert site_kpi_progress(kpi, dt.date(2027, 3, 31))["expected"] == 365_000
    april = site_kpi_progress(kpi, dt.date(2027, 4, 1))
    assert (april["year"], april["target"], april["actual"]) == (2027, None, 0)


def test_entered_kpi_progress_counts_the_calendar_year():
    kpi = Kpi.objects.get(key="tourist-arrivals")
    KpiTarget.objects.create(kpi=kpi, year=2026, target=1_200_000)
    for year, month in ((2025, 12), (2026, 1), (2026, 2), (2026, 3), (2026, 5)):
        KpiMonthlyValue.objects.create(kpi=kpi, year=year, month=month, value=100_000)
    progress = entered_kpi_progress(kpi, dt.date(2026, 4, 15))
    # December 2025 is last year; May 2026 is after the day asked about: January to March count.
    assert progress["actual"] == 300_000
    assert progress["as_of"] == dt.date(2026, 3, 31)
    assert progress["expected"] == round(1_200_000 * 90 / 365)  # 31 + 28 + 31 days entered
    assert progress["on_track"] is True
    assert progress["share_of_target"] == 25.0


def test_weeks_and_changes():
    assert iso_week_period(2026, 1).start == dt.date(2025, 12, 29)
    assert same_week_last_year(2026, 53).start == iso_week_period(2025, 52).start
    assert last_complete_week(dt.date(2026, 10, 19)) == (2026, 42)  # a Monday: the week that just ended
    assert last_complete_week(dt.date(2026, 10, 18)) == (2026, 41)
    assert change(150, 100) == 50.0 and change(5, 0) is None and change(40.0, 42.5, points=True) == -2.5


# -- the fixture week -------------------------------------------------------------------------------------------


def headline(report) -> dict:
    return {row["metric"]: row for row in report.headline}


def test_fixture_week_headline_and_comparisons(week):
    report = build_weekly_report(*WEEK, language="en")
    assert not report.no_data
    figures = headline(report)
    assert figures["visitors"]["value"] == 2 and figures["visitors"]["previous"] == 2
    assert figures["visitors"]["change_previous"] == 0.0
    assert figures["pageviews"]["value"] == 4 and figures["pageviews"]["previous"] == 2
    assert figures["pageviews"]["change_previous"] == 100.0
    assert figures["pageviews"]["last_year"] == 0 and figures["pageviews"]["change_last_year"] is None
    # Two sessions; visitor 2's is a bounce (visitor 1 viewed three pages and clicked a recommendation).
    assert figures["bounce_rate"]["value"] == 50.0
    assert figures["bounce_rate"]["previous"] == 100.0 and figures["bounce_rate"]["change_previous"] == -50.0
    assert [day["pageviews"] for day in report.daily] == [4, 0, 0, 0, 0, 0, 0]
    assert [day["previous"] for day in report.daily] == [0, 1, 1, 0, 0, 0, 0]


def test_fixture_week_markets_pages_ctr_and_consent(week):
    route, spot = week
    markets = market_of_countries()
    tw, us = markets["TW"], markets["US"]
    report = build_weekly_report(*WEEK, language="en")
    assert {row["key"]: row["visitors"] for row in report.markets} == {tw: 1, us: 1}
    top = {market["key"]: market for market in report.top_pages}
    assert top[tw]["pageviews"] == 3
    assert top[tw]["route"] == [{"page": route.pk, "title": route.title, "pageviews": 2, "visitors": 1}]
    assert top[tw]["spot"] == [{"page": spot.pk, "title": spot.title, "pageviews": 1, "visitors": 1}]
    assert top[us]["route"] == [] and [row["pageviews"] for row in top[us]["spot"]] == [1]
    assert report.top_pages[0]["key"] == tw  # the market with most page views first
    ctr = {row["key"]: row for row in report.recommendations}
    assert (ctr[tw]["impressions"], ctr[tw]["clicks"], ctr[tw]["ctr"]) == (4, 1, 25.0)
    consent = {row["key"]: row for row in report.consent}
    assert (consent[tw]["agreed"], consent[tw]["declined"], consent[tw]["rate"]) == (3, 1, 75.0)
    assert consent[us]["rate"] == 50.0
    fit = report.language_fit
    # Visitor 1's zh-tw browser got zh-hant (a fit); visitor 2's en-us browser got Japanese (not a fit).
    assert (fit["sessions"], fit["fitting_sessions"], fit["fit_rate"]) == (2, 1, 50.0)
    assert (fit["fallback_pageviews"], fit["pageviews"], fit["fallback_rate"]) == (1, 4, 25.0)
    assert [item["text"] for item in report.annotations] == ["Aizu festival"]
    assert report.quality["bots"] == 5
    assert report.quality["late"] == 9  # every event of Monday arrived after the day (the test runs later)
    assert report.quality["synthetic_present"] is False


def test_report_in_japanese_uses_japanese_names(week):
    route, _spot = week
    report = build_weekly_report(*WEEK, language="ja")
    tw = market_of_countries()["TW"]
    assert next(m for m in report.top_pages if m["key"] == tw)["route"][0]["title"] == route.title_ja
    assert report.target["name"] == "インバウンドサイトの閲覧数"


def test_empty_week_is_a_no_data_report_not_an_error():
    DailyRollup.objects.all().delete()
    report = build_weekly_report(2030, 5, language="ja")
    assert report.no_data is True
    assert headline(report)["pageviews"]["value"] == 0
    assert report.markets == [] and report.top_pages == []
    assert report.target["key"] == "inbound-site-pageviews"


# -- who may see what -------------------------------------------------------------------------------------------


def test_marketer_cannot_edit_a_page(marketer, home):
    response = marketer.get(reverse("wagtailadmin_pages:edit", args=[home.pk]))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/edit/" not in response["Location"]


def test_marketer_sees_dashboard_and_snippets(marketer, week):
    response = marketer.get(reverse("reports:dashboard") + "?week=2026-W42")
    assert response.status_code == 200
    assert b"<svg" in response.content
    for model in ("kpi", "kpitarget", "kpimonthlyvalue", "annotation"):
        assert marketer.get(reverse(f"wagtailsnippets_reports_{model}:list")).status_code == 200
        assert marketer.get(reverse(f"wagtailsnippets_reports_{model}:add")).status_code == 200
    assert marketer.get(reverse("wagtailsnippets_analytics_market:list")).status_code == 200


def test_dashboard_flags_synthetic_data(admin_client):
    DailyRollup.objects.all().delete()
    DailyRollup.objects.create(
        day=MON, site=1, synthetic=True, dimension="site", visitors=1, sessions=1, pageviews=1
    )  # fmt: skip
    response = admin_client.get(reverse("reports:dashboard") + "?week=2026-W42&synthetic=1")
    assert response.status_code == 200
    assert b'data-flag="synthetic"' in response.content
    real = admin_client.get(reverse("reports:dashboard") + "?week=2026-W42")
    assert b'data-flag="no-data"' in real.content and b'data-flag="synthetic-present"' in real.content


def test_other_users_without_permission_cannot_open_the_dashboard(client, django_user_model):
    user = django_user_model.objects.create_user("editor", "e@example.com", "pw")
    user.user_permissions.add(*Group.objects.get(name="Marketers").permissions.filter(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse("reports:dashboard")).status_code in (302, 403)
