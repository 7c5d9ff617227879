"""Synthetic traffic (demo/SYNTHETIC_TRAFFIC.md): it goes through the real intake, is marked synthetic, and is
learnable: markets differ, people within a market differ, and the same seed gives the same data."""

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models

from analytics.anonymous_ids import TOKYO, tokyo_day
from analytics.enrichment import is_bot
from analytics.models import ProfileEvent, RawEvent
from analytics.schema import EventName
from consent.models import ConsentAnswer, SavedRoute, VisitorProfile
from demo.management.commands.simulate_visitors import Command
from demo.synthetic_traffic import MARKETS, USER_AGENTS
from routes.models import RoutePage

pytestmark = pytest.mark.django_db

UNTIL = tokyo_day() - dt.timedelta(days=1)
COUNTRY_MARKET = {country.code: market.key for market in MARKETS for country in market.countries}


def simulate(*options: str, visitors: int = 400, days: int = 21, seed: int = 7):
    command = Command()
    args = ["--visitors", str(visitors), "--days", str(days), "--seed", str(seed), "--until", UNTIL.isoformat()]
    call_command(command, *args, *options, verbosity=0)
    return command.result


def route_themes() -> dict[int, set[str]]:
    return {route.pk: set(route.themes.values_list("key", flat=True)) for route in RoutePage.objects.live()}


def route_views_by_market() -> dict[str, Counter]:
    """Route page views per market, from the stored events alone (country → market as the rules define it)."""
    routes = route_themes()
    views: dict[str, Counter] = defaultdict(Counter)
    rows = RawEvent.objects.filter(name=EventName.PAGEVIEW, page__in=routes).values_list("country", "page")
    for country, page in rows:
        views[COUNTRY_MARKET[country]][page] += 1
    return views


def theme_share(views: Counter, theme: str) -> float:
    routes = route_themes()
    return sum(n for page, n in views.items() if theme in routes[page]) / sum(views.values())


def fingerprint() -> tuple:
    events = RawEvent.objects.order_by("at", "visitor", "name", "page", "value").values_list(
        "at", "name", "visitor", "page", "path", "lang", "country", "device", "browser", "channel", "referrer",
        "utm_campaign", "target", "item", "value", "scroll",
    )  # fmt: skip
    profiles = VisitorProfile.objects.order_by("token_hash").values_list(
        "token_hash", "country", "language", "interests", "travel_month", "party", "created_at", "last_seen"
    )
    history = ProfileEvent.objects.order_by("profile__token_hash", "at", "kind", "page").values_list(
        "profile__token_hash", "at", "kind", "page", "value"
    )
    answers = ConsentAnswer.objects.order_by("day", "answer", "country", "language").values_list(
        "day", "answer", "country", "language"
    )
    return list(events), list(profiles), list(history), list(answers)


def test_every_stored_record_is_synthetic_and_came_through_intake():
    result = simulate()
    assert result.events > 1000 and result.refused == 0
    assert RawEvent.objects.count() == result.events
    assert not RawEvent.objects.filter(synthetic=False).exists()
    assert VisitorProfile.objects.count() == result.profiles > 0
    assert not VisitorProfile.objects.filter(synthetic=False).exists()
    assert ConsentAnswer.objects.count() > result.profiles
    assert not ConsentAnswer.objects.filter(synthetic=False).exists()
    # Intake enriched them: device, browser and channel derived, days inside the window only.
    assert RawEvent.objects.exclude(browser="").count() == result.events
    assert {row for row in RawEvent.objects.values_list("device", flat=True).distinct()} >= {1, 2}
    days = {tokyo_day(at) for at in RawEvent.objects.values_list("at", flat=True)}
    assert min(days) >= UNTIL - dt.timedelta(days=20) and max(days) == UNTIL
    names = Counter(RawEvent.objects.values_list("name", flat=True))
    for name in (EventName.PAGEVIEW, EventName.ENGAGEMENT, EventName.SAVE_ROUTE, EventName.OUTBOUND):
        assert names[name] > 0, name


def test_markets_differ_in_the_themes_of_routes_they_view():
    simulate(visitors=600)
    views = route_views_by_market()
    taiwan, europe = views["taiwan"], views["europe"]
    assert sum(taiwan.values()) > 100 and sum(europe.values()) > 50
    assert theme_share(taiwan, "snow") - theme_share(europe, "snow") > 0.15
    assert theme_share(europe, "samurai") - theme_share(taiwan, "samurai") > 0.15
    # Across all routes the two markets' views differ by much more than sampling noise (total variation).
    pages = set(taiwan) | set(europe)
    n_taiwan, n_europe = sum(taiwan.values()), sum(europe.values())
    assert sum(abs(taiwan[page] / n_taiwan - europe[page] / n_europe) for page in pages) / 2 > 0.2


def test_visitors_within_a_market_differ_and_follow_their_own_interests():
    result = simulate(visitors=600)
    routes = route_themes()
    person_of = {(day, vid): p for p in result.people for day, vid in p.visitor_ids.items()}
    views: dict[int, Counter] = defaultdict(Counter)
    for at, visitor, page in RawEvent.objects.filter(name=EventName.PAGEVIEW, page__in=routes).values_list(
        "at", "visitor", "page"
    ):
        views[person_of[(tokyo_day(at), visitor)].index][page] += 1
    people = {p.index: p for p in result.people}
    viewers = [people[i] for i, seen in views.items() if sum(seen.values()) >= 2]
    taiwanese = [p for p in viewers if p.market == "taiwan"]
    assert len(taiwanese) >= 30
    # Different people of one market like different routes best...
    favourites = Counter(views[p.index].most_common(1)[0][0] for p in taiwanese)
    assert len(favourites) >= 4 and favourites.most_common(1)[0][1] < 0.5 * len(taiwanese)

    # ...and what each person views fits their own hidden interests, travel month and party better than those
    # of a random compatriot (the market's share of the fit is the same for both).
    def fit(person, seen: Counter) -> float:
        mean = sum(person.route_scores.values()) / len(person.route_scores)
        return sum(n * (person.route_scores[page] - mean) for page, n in seen.items()) / sum(seen.values())

    rng = random.Random(1)
    differences = []
    for person in viewers:
        compatriot = rng.choice([q for q in viewers if q.market == person.market and q is not person])
        differences.append(fit(person, views[person.index]) - fit(compatriot, views[person.index]))
    assert len(differences) >= 150
    assert sum(differences) / len(differences) > 0.15


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not():
    simulate(visitors=150, days=10)
    first = fingerprint()
    assert first[0] and first[1] and first[2]
    simulate("--clear", visitors=150, days=10)
    assert fingerprint() == first
    simulate("--clear", visitors=150, days=10, seed=8)
    assert fingerprint()[0] != first[0]


def test_refuses_to_add_synthetic_data_to_days_that_have_some():
    result = simulate(visitors=100, days=7)
    with pytest.raises(CommandError, match="--clear"):
        simulate(visitors=100, days=7)
    assert RawEvent.objects.count() == result.events
    simulate("--clear", visitors=100, days=7)
    assert RawEvent.objects.count() == result.events


def test_consented_profiles_keep_a_history_across_visits():
    result = simulate(visitors=500)
    profiles = list(VisitorProfile.objects.all())
    assert len(profiles) == result.profiles >= 80
    days: dict[int, set] = defaultdict(set)
    kinds: Counter = Counter()
    for profile_id, at, kind in ProfileEvent.objects.values_list("profile_id", "at", "kind"):
        days[profile_id].add(at.astimezone(TOKYO).date())
        kinds[kind] += 1
    with_history = [p for p in profiles if days[p.pk]]
    assert len(with_history) >= 0.9 * len(profiles)
    returning = [p for p in profiles if len(days[p.pk]) >= 2]
    assert len(returning) >= 0.3 * len(profiles)
    assert kinds[ProfileEvent.Kind.VIEW] and kinds[ProfileEvent.Kind.ENGAGED] and kinds[ProfileEvent.Kind.SAVE]
    # History points at real pages; the profile's dates are those of the visits.
    pages = set(RoutePage.objects.values_list("pk", flat=True)) | set(
        RawEvent.objects.exclude(page=None).values_list("page", flat=True)
    )
    assert set(ProfileEvent.objects.exclude(page=None).values_list("page", flat=True)) <= pages
    assert all(p.created_at.date() <= p.last_seen.date() <= UNTIL + dt.timedelta(days=1) for p in profiles)
    assert SavedRoute.objects.filter(profile__in=profiles).exists()
    # Stated interests are theme keys, and people who state one view routes with it more than others do.
    routes = route_themes()
    stated = [p for p in profiles if p.interests]
    assert stated and all(isinstance(key, str) for p in stated for key in p.interests)
    views = defaultdict(Counter)
    for profile_id, page in ProfileEvent.objects.filter(kind="view", page__in=routes).values_list("profile_id", "page"):
        views[profile_id][page] += 1

    def share(group, theme):
        seen = sum((views[p.pk] for p in group), Counter())
        return sum(n for page, n in seen.items() if theme in routes[page]) / max(sum(seen.values()), 1)

    theme = Counter(key for p in stated for key in p.interests if any(key in t for t in routes.values())).most_common(
        1
    )[0][0]
    fans = [p for p in stated if theme in p.interests]
    others = [p for p in stated if theme not in p.interests]
    assert share(fans, theme) > share(others, theme) + 0.05


def test_nothing_stored_carries_an_ip_address_or_a_user_agent():
    result = simulate(visitors=300, days=14)
    secrets = {p.ip for p in result.people} | {p.user_agent for p in result.people}
    markers = ("198.51.100.", "203.0.113.", "2001:db8:", "Mozilla/", "AppleWebKit")
    checked = 0
    for model in [*apps.get_app_config("analytics").get_models(), *apps.get_app_config("consent").get_models()]:
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        fields += [f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        for row in model.objects.values_list(*fields):
            for value in row:
                text = str(value)
                checked += 1
                assert not any(marker in text for marker in markers), (model.__name__, text)
                assert text not in secrets, (model.__name__, text)
    assert checked > 10_000
    # A returning person gets a new anonymous id every day, as real visitors do.
    returning = [p for p in result.people if len(p.visitor_ids) >= 2]
    assert returning and all(len(set(p.visitor_ids.values())) == len(p.visitor_ids) for p in returning)


def test_synthetic_user_agents_are_not_taken_for_bots():
    for agents in USER_AGENTS.values():
        for agent in agents:
            assert not is_bot(agent), agent
