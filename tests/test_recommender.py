"""The route recommender: cold start, consent, the deploy gate, no model at all, seasons and conditions."""

import datetime as dt

import numpy as np
import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from analytics.anonymous_ids import tokyo_day
from analytics.models import ProfileEvent, RawEvent
from analytics.storage import write_batch
from consent.models import VisitorProfile
from content.models import Theme
from routes.models import ManualCondition, RoutePage, TrainedModel
from routes.recommender import serving, training
from routes.recommender.features import VisitorContext
from tests.factories import per_language, publish
from tests.rollup_fixtures import event, jst

pytestmark = pytest.mark.django_db

SNOW_ONSEN = (40, 43)  # the demo's Higashiyama onsen and Tadami line routes (snow, onsen, railway)
SAMURAI = (36, 37)  # castle town and Byakkotai routes (samurai, history)
TAIWAN = VisitorContext(country="TW", lang="zh-hant")
FRANCE = VisitorContext(country="FR", lang="en")


def route_ids(items) -> list[int]:
    return [item.route for item in items]


@pytest.fixture
def demo_routes():
    """The demo routes' ids are stable in the test database; check the themes the tests rely on."""
    themes = {route.pk: set(route.themes.values_list("key", flat=True)) for route in RoutePage.objects.live()}
    assert all({"snow"} <= themes[pk] for pk in SNOW_ONSEN) and all("samurai" in themes[pk] for pk in SAMURAI)
    return themes


def make_visits(route_type: int, days: int = 21) -> None:
    """Taiwanese visitors look at snow and onsen routes, French ones at samurai routes, with a little noise."""
    rng = np.random.default_rng(3)
    records, visitor = [], 1000
    for offset in range(days, 0, -1):
        day = tokyo_day() - dt.timedelta(days=offset)
        for country, lang, liked in (("TW", "zh-hant", SNOW_ONSEN), ("FR", "en", SAMURAI)):
            for _ in range(12):
                visitor += 1
                routes = [int(rng.choice(liked))] + (
                    [int(rng.choice(SNOW_ONSEN + SAMURAI))] if rng.random() < 0.2 else []
                )
                for minute, route in enumerate(routes):
                    records.append(event(jst(day, 11, minute), visitor, page=route, page_type=route_type,
                                         country=country, lang=lang, browser_lang=lang))  # fmt: skip
    write_batch(records)


@pytest.fixture
def trained(settings, demo_routes):
    settings.RECOMMENDER_EPOCHS = 25
    settings.RECOMMENDER_THREADS = 1
    settings.RECOMMENDER_USE_SYNTHETIC = False
    RawEvent.objects.all().delete()
    TrainedModel.objects.all().delete()
    make_visits(ContentType.objects.get(app_label="routes", model="routepage").pk)
    record = training.train()
    assert record.status == TrainedModel.Status.LIVE
    serving.loaded.forget()
    yield record
    serving.loaded.forget()


def test_new_visitors_get_their_markets_routes_from_market_and_language_alone(trained):
    assert set(route_ids(serving.recommend(TAIWAN, k=2))) == set(SNOW_ONSEN)
    assert set(route_ids(serving.recommend(FRANCE, k=2))) == set(SAMURAI)
    evaluation = trained.metrics["evaluation"]
    assert evaluation["new"]["hybrid"]["precision"] >= evaluation["new"]["global_popularity"]["precision"]


def test_a_new_route_is_recommended_from_its_features_before_anyone_saw_it(trained, route_index):
    snow, onsen = Theme.objects.get(key="snow"), Theme.objects.get(key="onsen")
    route = RoutePage(
        **per_language("title", ja="新しい雪見温泉", en="New snowy onsen"), slug="new-snowy-onsen",
        **per_language("slug", ja="new-snowy-onsen", en="new-snowy-onsen"),
    )  # fmt: skip
    publish(route_index, route)
    route.themes.set([snow, onsen])
    route.save_revision().publish()
    serving.loaded.forget()
    ranked = route_ids(serving.recommend(TAIWAN, k=20))
    assert route.pk in ranked
    assert ranked.index(route.pk) < ranked.index(SAMURAI[0])  # placed by its themes, with no views at all


def test_consent_brings_interests_and_withdrawal_takes_them_away(trained, client):
    headers = {"HTTP_ACCEPT_LANGUAGE": "fr-FR", "HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0"}
    anonymous = client.get("/api/recommendations", {"placement": "home", "lang": "en", "limit": 2}, **headers).json()
    assert {route["id"] for route in anonymous["routes"]} == set(SAMURAI)
    client.post("/api/consent", {"answer": "agree", "version": 1, "language": "en"}, content_type="application/json",
                **headers)  # fmt: skip
    client.post("/api/profile", {"interests": ["onsen"]}, content_type="application/json", **headers)
    personal = client.get("/api/recommendations", {"placement": "home", "lang": "en", "limit": 2}, **headers).json()
    reasons = {route["id"]: route["reason"] for route in personal["routes"]}
    onsen = Theme.objects.get(key="onsen").name
    assert reasons.get(SNOW_ONSEN[0]) == f"Because you like {onsen}"  # the one onsen route comes first
    client.post("/api/consent/withdraw", {"language": "en"}, content_type="application/json", **headers)
    after = client.get("/api/recommendations", {"placement": "home", "lang": "en", "limit": 2}, **headers).json()
    assert after == anonymous


def test_a_worse_model_is_not_deployed(trained, monkeypatch):
    real_fit = training.fit

    def scrambled_fit(*args, **kwargs):
        model = real_fit(*args, **kwargs)
        rng = np.random.default_rng(0)
        model.user_embeddings = rng.normal(size=model.user_embeddings.shape).astype(np.float32)
        model.item_embeddings = rng.normal(size=model.item_embeddings.shape).astype(np.float32)
        model.item_biases = rng.normal(size=model.item_biases.shape).astype(np.float32)
        return model

    monkeypatch.setattr(training, "fit", scrambled_fit)
    record = training.train()
    assert record.status == TrainedModel.Status.REJECTED, record.metrics["evaluation"]["all"]
    assert TrainedModel.objects.get(status=TrainedModel.Status.LIVE).pk == trained.pk
    assert "below the live model" in record.note


def test_pages_and_the_endpoint_work_with_no_model(client, demo_routes):
    TrainedModel.objects.all().delete()
    serving.loaded.forget()
    assert client.get("/en/").status_code == 200
    assert client.get("/en/routes/castle-town-walk/").status_code == 200
    answer = client.get("/api/recommendations", {"placement": "route", "page": SAMURAI[0], "lang": "th"})
    assert answer.status_code == 200
    routes = answer.json()["routes"]
    assert routes and SAMURAI[0] not in {route["id"] for route in routes}  # never the page the visitor is on
    assert all(route["url"].startswith("/th/") and route["reason"] for route in routes)


def test_out_of_season_routes_are_not_pushed(trained):
    seasonal = RoutePage.objects.get(pk=42)
    assert 1 not in seasonal.best_months and 7 in seasonal.best_months
    winter = route_ids(serving.recommend(VisitorContext(country="TW", lang="en", travel_month=1), k=20))
    summer = route_ids(serving.recommend(VisitorContext(country="TW", lang="en", travel_month=7), k=20))
    assert 42 not in winter and 42 in summer


def test_manual_weather_and_crowding_re_rank(trained):
    now = timezone.now()
    before = route_ids(serving.recommend(FRANCE, k=20))
    snow = ManualCondition.objects.create(
        message="Heavy snow today", strength=0.9, starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=5),
    )  # fmt: skip
    snow.raise_themes.set([Theme.objects.get(key="snow")])
    snow.save()  # parental many-to-many relations are written on save
    serving.loaded.forget()
    snowy = serving.recommend(FRANCE, k=20)
    assert route_ids(snowy)[0] in {pk for pk, themes in _themes().items() if "snow" in themes}
    assert snowy[0].reason == "condition" and snowy[0].detail == "Heavy snow today"
    snow.delete()
    castle_spot = RoutePage.objects.get(pk=SAMURAI[0]).stops.exclude(spot=None).first().spot
    ManualCondition.objects.create(
        message="Castle crowded", strength=0.9, lower_spot=castle_spot, starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=5),
    )  # fmt: skip
    serving.loaded.forget()
    crowded = route_ids(serving.recommend(FRANCE, k=20))
    assert crowded.index(SAMURAI[0]) > before.index(SAMURAI[0])


def _themes() -> dict[int, set[str]]:
    return {route.pk: set(route.themes.values_list("key", flat=True)) for route in RoutePage.objects.live()}


def test_route_pages_suggest_routes_like_the_one_viewed(trained, client):
    """The page stays the same for everyone; the endpoint, given the route, moves routes sharing its themes up."""
    page = RoutePage.objects.get(pk=SNOW_ONSEN[0])
    html = client.get(page.get_url(), HTTP_ACCEPT_LANGUAGE="fr-FR").content.decode()
    assert 'data-placement="route"' in html and f'data-page="{page.pk}"' in html
    for related in page.related_routes():  # the fallback without JavaScript: related routes, not personal ones
        assert f'href="{related["url"]}"' in html
    away = route_ids(serving.recommend(FRANCE, k=20, exclude=(page.pk,)))
    near = serving.recommend(FRANCE, k=20, exclude=(page.pk,), near=page.pk)
    assert page.pk not in route_ids(near)
    assert set(away[:2]) == set(SAMURAI)  # what France alone prefers
    assert SNOW_ONSEN[1] in route_ids(near)[:2]  # the other snowy route (three themes of five shared) moves up
    shared = _themes()[page.pk] & _themes()[SNOW_ONSEN[1]]
    item = next(item for item in near if item.route == SNOW_ONSEN[1])
    routes_with = {theme: sum(theme in themes for themes in _themes().values()) for theme in shared}
    assert item.reason == "related" and routes_with[item.detail] == min(routes_with.values())  # the rarest shared
    castle = next(item for item in near if item.route == SAMURAI[1])  # shares only "history" with the page
    assert castle.reason != "related"
    answer = client.get("/api/recommendations", {"placement": "route", "page": page.pk, "lang": "en", "limit": 3},
                        HTTP_ACCEPT_LANGUAGE="fr-FR").json()  # fmt: skip
    reasons = {route["id"]: route["reason"] for route in answer["routes"]}
    assert reasons[SNOW_ONSEN[1]] == f"Like this route: {Theme.objects.get(key=item.detail).name}"


def test_a_profiles_own_history_comes_back_and_goes_with_withdrawal(trained, client):
    headers = {"HTTP_ACCEPT_LANGUAGE": "fr-FR", "HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0"}
    query = {"placement": "home", "lang": "en", "limit": 3}
    anonymous = client.get("/api/recommendations", query, **headers).json()
    assert SNOW_ONSEN[1] not in {route["id"] for route in anonymous["routes"][:2]}  # France: samurai first
    client.post("/api/consent", {"answer": "agree", "version": 1, "language": "en"}, content_type="application/json",
                **headers)  # fmt: skip
    profile = VisitorProfile.objects.get()
    earlier = timezone.now() - dt.timedelta(days=10)  # before the hold-out: in the training window
    ProfileEvent.objects.bulk_create([
        ProfileEvent(profile=profile, at=earlier, kind=ProfileEvent.Kind.VIEW, page=SNOW_ONSEN[1]),
        ProfileEvent(profile=profile, at=earlier, kind=ProfileEvent.Kind.SAVE, page=SNOW_ONSEN[1]),
    ])  # fmt: skip
    TrainedModel.objects.all().delete()
    assert training.train().status == TrainedModel.Status.LIVE
    serving.loaded.forget()
    personal = client.get("/api/recommendations", query, **headers).json()
    reasons = {route["id"]: route["reason"] for route in personal["routes"]}
    assert reasons.get(SNOW_ONSEN[1]) == "You looked at it on an earlier visit"
    client.post("/api/consent/withdraw", {"language": "en"}, content_type="application/json", **headers)
    after = client.get("/api/recommendations", query, **headers).json()
    assert SNOW_ONSEN[1] not in {route["id"] for route in after["routes"][:2]}
    assert all(route["reason"] != "You looked at it on an earlier visit" for route in after["routes"])


def test_the_endpoints_cards_follow_published_changes_without_reading_the_database(
    client, demo_routes, django_assert_num_queries
):
    """Cards come from a table per language and content generation: a publish shows at once, no query per visit."""
    TrainedModel.objects.all().delete()
    serving.loaded.forget()
    query = {"placement": "route", "page": SAMURAI[0], "lang": "en", "limit": 12}
    before = client.get("/api/recommendations", query).json()["routes"]
    with django_assert_num_queries(0):  # no consent cookie: nothing to read but the cache
        assert client.get("/api/recommendations", query).json()["routes"] == before
    renamed, dropped = RoutePage.objects.get(pk=before[0]["id"]), RoutePage.objects.get(pk=before[1]["id"])
    renamed.title_en = "Renamed for the test"
    renamed.save_revision().publish()
    dropped.unpublish()
    after = {route["id"]: route for route in client.get("/api/recommendations", query).json()["routes"]}
    assert after[renamed.pk]["title"] == "Renamed for the test" and dropped.pk not in after
    assert {key: value for key, value in after[renamed.pk].items() if key != "title"} == {
        key: value for key, value in before[0].items() if key != "title"
    }
