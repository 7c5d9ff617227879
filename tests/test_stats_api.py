"""The stats API and the open-data CSV, over the golden fixture of test_rollups."""

import csv
import io

import pytest
from django.core.management import call_command

from analytics.models import CountryMarket, Market
from tests.rollup_fixtures import DAY, NEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(capsys):
    call_command("create_stats_token", "tests")
    return capsys.readouterr().out.strip().splitlines()[-1]


def get(client, path, token=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(f"/api/stats/v1/{path}", params, **headers)


def test_json_endpoints_need_a_valid_key(client, golden):
    assert get(client, "aggregate").status_code == 401
    assert get(client, "aggregate", token="not-a-key").status_code == 401


def test_aggregate_gives_sums_and_ratios(client, golden, token):
    body = get(client, "aggregate", token, **{"from": DAY, "to": DAY}).json()
    results = body["results"]
    assert (results["visitors"], results["sessions"], results["pageviews"]) == (4, 5, 6)
    assert results["bounce_rate"] == 40.0 and results["visit_duration_s"] == 228.0
    assert body["synthetic"] is False and body["synthetic_data_present"] is False


def test_breakdowns_filters_and_markets(client, golden, token):
    dates = {"from": DAY, "to": NEXT}
    countries = get(client, "breakdown", token, dimension="country", **dates).json()["results"]
    assert {row["key"]: row["sessions"] for row in countries} == {"TW": 2, "US": 4}
    markets = get(client, "breakdown", token, dimension="market", **dates).json()["results"]
    assert {row["key"]: row["sessions"] for row in markets} == {"taiwan": 2, "north-america": 4}
    # Staff move the US into another market: the past follows, because markets are applied when reading.
    CountryMarket.objects.filter(country="US").update(market=Market.objects.get(key="oceania"))
    markets = get(client, "breakdown", token, dimension="market", **dates).json()["results"]
    assert {row["key"] for row in markets} == {"taiwan", "oceania"}
    pages = get(client, "breakdown", token, dimension="page", market="taiwan", **dates).json()["results"]
    assert [(row["key"], row["pageviews"]) for row in pages] == [("10", 2), ("11", 1)]
    taiwan = get(client, "aggregate", token, country="TW", **dates).json()["results"]
    assert (taiwan["visitors"], taiwan["sessions"]) == (1, 2)


def test_bad_parameters_get_clear_errors(client, golden, token):
    cases = [
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-10-20", "to": "2026-10-01"}, "to"),
        ({"dimension": "planet"}, "dimension"),
        ({"dimension": "goal", "country": "TW"}, "country"),
        ({"dimension": "page", "market": "atlantis"}, "market"),
        ({"dimension": "page", "limit": "0"}, "limit"),
        ({"dimension": "page", "synthetic": "maybe"}, "synthetic"),
    ]
    for params, field in cases:
        response = get(client, "breakdown", token, **params)
        assert response.status_code == 400, params
        assert response.json()["error"]["field"] == field


def test_timeseries_has_every_day(client, golden, token):
    rows = get(client, "timeseries", token, **{"from": DAY, "to": NEXT}).json()["results"]
    assert [(row["day"], row["pageviews"]) for row in rows] == [(DAY.isoformat(), 6), (NEXT.isoformat(), 1)]


def test_open_data_csv_is_public_and_leaves_out_small_rows(client, golden, settings):
    settings.ANALYTICS_OPEN_DATA_MIN_VISITORS = 2
    response = client.get("/api/stats/v1/open-data.csv", {"dimension": "country", "from": DAY, "to": NEXT})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["key"], row["visitors"]) for row in rows] == [("US", "4")]  # TW had one visitor: left out
