"""The consent API: /api/consent, /api/consent/withdraw and /api/profile, and the history a profile keeps.

API-level only (a real-browser consent test lives elsewhere). Works with the Redis buffer and without it.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from analytics import buffer
from analytics.models import GoalDomain, ProfileEvent, RawEvent
from consent.models import ConsentAnswer, SavedRoute, VisitorProfile
from routes.models import RoutePage
from tests.analytics_helpers import (
    CHROME,
    SITE_URL,
    agree,
    current_notice,
    drain,
    event,
    post_event,
    post_json,
    profile_of,
    reset_analytics_state,
)

pytestmark = pytest.mark.django_db

ALLOWED_BEFORE_CONSENT = {"visitaizu_language", "visitaizu_consent"}  # choices, never identifiers


@pytest.fixture(autouse=True)
def _fresh_salt_memo():
    reset_analytics_state()
    yield
    reset_analytics_state()


@pytest.fixture
def notice(db):
    return current_notice()


@pytest.fixture
def route_ids(db) -> list[int]:
    ids = list(RoutePage.objects.live().order_by("pk").values_list("pk", flat=True)[:4])
    assert len(ids) >= 3, "the demo content should have routes"
    return ids


@pytest.fixture
def consented(client, notice, route_ids):
    response = agree(client, notice, saved_routes=route_ids[:1])
    assert response.status_code == 200, response.content
    return client


def answers(kind: str, version: int) -> int:
    return ConsentAnswer.objects.filter(answer=kind, notice_version=version).count()


def is_deleted(cookie) -> bool:
    return cookie.value == "" and str(cookie["max-age"]) == "0"


# --- Agreeing -----------------------------------------------------------------------------------------------------


def test_agreeing_creates_a_profile_with_the_routes_saved_in_the_browser(client, notice, route_ids):
    profiles, agreed = VisitorProfile.objects.count(), answers("agreed", notice.version)
    response = agree(client, notice, saved_routes=[route_ids[0], route_ids[1], route_ids[0], 2_000_000_000])
    assert response.status_code == 200
    assert response.json() == {"answer": "agree", "notice_version": notice.version}

    consent_cookie = response.cookies["visitaizu_consent"]
    assert consent_cookie.value == f"agreed.{notice.version}"  # the answer and version only, no identifier
    assert not consent_cookie["httponly"]  # consent.js reads it
    visitor_cookie = response.cookies["visitaizu_visitor"]
    token = visitor_cookie.value
    assert len(token) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert visitor_cookie["httponly"] is True
    assert visitor_cookie["samesite"] == "Lax"
    assert int(visitor_cookie["max-age"]) > 30 * 24 * 3600
    assert token not in consent_cookie.value

    assert VisitorProfile.objects.count() == profiles + 1
    profile = profile_of(client)
    assert profile.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert not VisitorProfile.objects.filter(token_hash=token).exists()  # the database never holds the token
    assert (profile.notice_version, profile.language) == (notice.version, "en")
    # Unknown page ids are dropped, duplicates kept once.
    assert sorted(SavedRoute.objects.filter(profile=profile).values_list("page_id", flat=True)) == sorted(route_ids[:2])
    assert answers("agreed", notice.version) == agreed + 1

    state = client.get("/api/consent", HTTP_USER_AGENT=CHROME).json()
    assert state["answer"] == "agreed" and state["notice_version"] == notice.version
    assert sorted(state["profile"]["saved_routes"]) == sorted(route_ids[:2])


def test_agreeing_again_keeps_the_same_profile_and_adds_routes(consented, notice, route_ids):
    profile = profile_of(consented)
    profiles = VisitorProfile.objects.count()
    response = agree(consented, notice, saved_routes=[route_ids[2]])
    assert response.status_code == 200
    assert "visitaizu_visitor" not in response.cookies  # the existing token is kept
    assert VisitorProfile.objects.filter(pk=profile.pk).exists()
    assert VisitorProfile.objects.count() == profiles
    assert set(profile.saved_routes.values_list("page_id", flat=True)) == {route_ids[0], route_ids[2]}


def test_agreeing_with_gpc_is_refused(client, notice):
    profiles, answered = VisitorProfile.objects.count(), ConsentAnswer.objects.count()
    response = agree(client, notice, HTTP_SEC_GPC="1")
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "answer"
    assert VisitorProfile.objects.count() == profiles
    assert ConsentAnswer.objects.count() == answered
    assert not response.cookies
    assert client.get("/api/consent", HTTP_SEC_GPC="1").json()["gpc"] is True


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"answer": "agree", "version": "{v+1}", "language": "en"}, 409, "version"),
        ({"answer": "agree", "version": "{v-str}", "language": "en"}, 409, "version"),
        ({"answer": "agree", "language": "en"}, 409, "version"),
        ({"answer": "yes", "version": "{v}", "language": "en"}, 400, "answer"),
        ({"answer": "agree", "version": "{v}", "language": "fr"}, 400, "language"),
        ({"answer": "agree", "version": "{v}", "language": "en", "saved_routes": "1,2"}, 400, "saved_routes"),
        ({"answer": "agree", "version": "{v}", "language": "en", "saved_routes": [1, "2"]}, 400, "saved_routes"),
        ({"answer": "agree", "version": "{v}", "language": "en", "saved_routes": [True]}, 400, "saved_routes"),
        (
            {"answer": "agree", "version": "{v}", "language": "en", "saved_routes": list(range(1, 102))},
            400,
            "saved_routes",
        ),  # fmt: skip
    ],
)
def test_invalid_answers_are_refused_and_keep_nothing(client, notice, payload, status, field):
    substitutes = {"{v}": notice.version, "{v+1}": notice.version + 1, "{v-str}": str(notice.version)}
    payload = {
        key: substitutes.get(value, value) if isinstance(value, str) else value for key, value in payload.items()
    }
    answers_before, profiles = ConsentAnswer.objects.count(), VisitorProfile.objects.count()
    response = post_json(client, "/api/consent", payload)
    assert response.status_code == status
    assert response.json()["error"]["field"] == field
    assert VisitorProfile.objects.count() == profiles
    assert ConsentAnswer.objects.count() == answers_before
    assert not response.cookies


@pytest.mark.parametrize("path", ["/api/consent", "/api/consent/withdraw"])
def test_state_changes_must_be_json_from_this_site(client, notice, path):
    payload = {"answer": "agree", "version": notice.version, "language": "en"}
    profiles, answered = VisitorProfile.objects.count(), ConsentAnswer.objects.count()
    form = client.post(path, data=payload, HTTP_USER_AGENT=CHROME)  # multipart, as a cross-site form could send
    assert form.status_code == 415
    assert form.json()["error"]["field"] == "body"
    plain = client.post(path, data=json.dumps(payload), content_type="text/plain", HTTP_USER_AGENT=CHROME)
    assert plain.status_code == 415
    foreign = post_json(client, path, payload, HTTP_ORIGIN="https://evil.example")
    assert foreign.status_code == 403
    not_an_object = client.post(path, data="[1]", content_type="application/json")
    assert not_an_object.status_code == 400 and not_an_object.json()["error"]["field"] == "body"
    broken = client.post(path, data="{", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]["field"] == "body"
    assert VisitorProfile.objects.count() == profiles
    assert ConsentAnswer.objects.count() == answered
    assert client.put(path, data="{}", content_type="application/json").status_code == 405


# --- History of a consented visitor -------------------------------------------------------------------------------


def test_events_with_the_profile_cookies_build_its_history(consented, route_ids):
    GoalDomain.objects.update_or_create(domain="booking.com", defaults={"kind": GoalDomain.Kind.BOOKING})
    profile = profile_of(consented)
    r1, r2, r3 = route_ids[:3]
    bodies = [
        event(p=r1, t="routes.routepage"),
        event("engagement", p=r1, d={"ms": 30000, "scroll": 90}),
        event("save", p=r1, d={"route": r2}),
        event("save", d={"route": r2, "saved": False}),
        event("outbound", p=r1, d={"href": "https://secure.booking.com/hotel/jp/aizu.html"}),
        event("rec_click", d={"route": r3, "placement": "home", "position": 2}),
        # Kept anonymously only: nothing about the profile in these.
        event("outbound", p=r1, d={"href": "https://www.example.org/"}),
        event("search", d={"term": "onsen", "results": 2}),
        event("404"),
        event("rec_impression", d={"routes": [r1, r2], "placement": "home"}),
        event(),  # a page view without a page id
    ]
    events_before, history_before = RawEvent.objects.count(), ProfileEvent.objects.count()
    for body in bodies:
        assert post_event(consented, body).json() == {"ok": True, "counted": True}
    history = list(ProfileEvent.objects.filter(profile=profile).order_by("id").values_list("kind", "page", "value"))
    assert history == [
        ("view", r1, None),
        ("engaged", r1, 30000),
        ("save", r2, None),
        ("unsave", r2, None),
        ("booking", r1, None),
        ("rec_click", r3, 2),
    ]
    assert RawEvent.objects.count() == events_before + len(bodies)
    assert ProfileEvent.objects.count() == history_before + len(history)


def test_cookies_without_agreement_write_no_history(client, consented, route_ids):
    profile = profile_of(consented)
    token = consented.cookies["visitaizu_visitor"].value
    history_before = ProfileEvent.objects.count()
    for consent_value in ("declined.1", "withdrawn.1", ""):
        client.cookies["visitaizu_visitor"] = token
        client.cookies["visitaizu_consent"] = consent_value
        assert post_event(client, event(p=route_ids[0])).status_code == 202
    client.cookies["visitaizu_consent"] = "agreed.1"
    client.cookies["visitaizu_visitor"] = "not-a-token-anyone-has"
    assert post_event(client, event(p=route_ids[0])).status_code == 202
    assert ProfileEvent.objects.count() == history_before
    assert VisitorProfile.objects.filter(pk=profile.pk).exists()


# --- The profile endpoint -----------------------------------------------------------------------------------------


def test_saving_and_unsaving_routes(consented, route_ids):
    profile = profile_of(consented)
    response = post_json(consented, "/api/profile", {"route": route_ids[2], "saved": True})
    assert response.status_code == 200
    assert sorted(response.json()["profile"]["saved_routes"]) == sorted([route_ids[0], route_ids[2]])
    response = post_json(consented, "/api/profile", {"route": route_ids[0], "saved": False})
    assert response.json()["profile"]["saved_routes"] == [route_ids[2]]
    assert list(profile.saved_routes.values_list("page_id", flat=True)) == [route_ids[2]]
    response = post_json(consented, "/api/profile", {"route": route_ids[1]})  # "saved" defaults to true
    assert sorted(response.json()["profile"]["saved_routes"]) == sorted([route_ids[1], route_ids[2]])
    assert sorted(consented.get("/api/profile").json()["profile"]["saved_routes"]) == sorted(route_ids[1:3])


def test_preferences_are_stored(consented):
    payload = {"interests": ["onsen", "samurai-history", "onsen"], "travel_month": 2, "party": "family"}
    response = post_json(consented, "/api/profile", payload)
    assert response.status_code == 200
    profile = profile_of(consented)
    assert (profile.interests, profile.travel_month, profile.party) == (["onsen", "samurai-history"], 2, "family")
    assert post_json(consented, "/api/profile", {"travel_month": None, "party": ""}).status_code == 200
    profile.refresh_from_db()
    assert (profile.travel_month, profile.party) == (None, "")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"interests": "onsen"}, "interests"),
        ({"interests": ["<script>"]}, "interests"),
        ({"interests": [""]}, "interests"),
        ({"interests": ["a" * 33]}, "interests"),
        ({"interests": [1]}, "interests"),
        ({"interests": [f"theme{n}" for n in range(21)]}, "interests"),
        ({"travel_month": 13}, "travel_month"),
        ({"travel_month": 0}, "travel_month"),
        ({"travel_month": "2"}, "travel_month"),
        ({"travel_month": True}, "travel_month"),
        ({"travel_month": 2.5}, "travel_month"),
        ({"party": "crowd"}, "party"),
        ({"party": None}, "party"),
        ({"route": "12"}, "route"),
        ({"route": 0}, "route"),
        ({"route": None}, "route"),
        ({"route": 5, "saved": "yes"}, "saved"),
        ({"interests": ["onsen"], "travel_month": 99}, "travel_month"),  # nothing of a refused body is kept
    ],
)
def test_invalid_profile_changes_are_refused_with_the_field(consented, route_ids, payload, field):
    profile = profile_of(consented)
    before = (profile.interests, profile.travel_month, profile.party, list(profile.saved_routes.values_list("pk")))
    response = post_json(consented, "/api/profile", payload)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    profile.refresh_from_db()
    assert (profile.interests, profile.travel_month, profile.party, list(profile.saved_routes.values_list("pk"))) == (
        before
    )


def test_the_profile_endpoint_without_a_profile(client):
    profiles = VisitorProfile.objects.count()
    assert client.get("/api/profile").json() == {"profile": None}
    response = post_json(client, "/api/profile", {"route": 5})
    assert response.status_code == 403
    assert response.json()["error"]["field"] == "profile"
    assert VisitorProfile.objects.count() == profiles


def test_profile_changes_must_be_json(consented):
    response = consented.post("/api/profile", data={"party": "solo"})
    assert response.status_code == 415
    assert profile_of(consented).party == ""


# --- Withdrawing and declining ------------------------------------------------------------------------------------


def test_withdrawing_deletes_the_profile_and_everything_in_it(consented, notice, route_ids):
    profile = profile_of(consented)
    post_json(consented, "/api/profile", {"route": route_ids[1], "saved": True, "interests": ["onsen"]})
    for body in (event(p=route_ids[0]), event("save", d={"route": route_ids[1]})):
        post_event(consented, body)
    assert SavedRoute.objects.filter(profile=profile).count() == 2
    assert ProfileEvent.objects.filter(profile=profile).count() == 2
    withdrawn = answers("withdrawn", notice.version)
    events_before, history_before = RawEvent.objects.count(), ProfileEvent.objects.count()

    response = post_json(consented, "/api/consent/withdraw", {"language": "ja"})
    assert response.status_code == 200
    assert response.json() == {"answer": "withdrawn", "deleted": True}
    assert not VisitorProfile.objects.filter(pk=profile.pk).exists()
    assert SavedRoute.objects.filter(profile_id=profile.pk).count() == 0
    assert ProfileEvent.objects.filter(profile_id=profile.pk).count() == 0
    assert is_deleted(response.cookies["visitaizu_visitor"])
    assert response.cookies["visitaizu_consent"].value == f"withdrawn.{notice.version}"
    assert answers("withdrawn", notice.version) == withdrawn + 1
    assert ConsentAnswer.objects.filter(answer="withdrawn").latest("pk").language == "ja"

    # Afterwards: still counted anonymously, nothing for a profile.
    assert post_event(consented, event(p=route_ids[0])).json()["counted"] is True
    assert RawEvent.objects.count() == events_before + 1
    assert ProfileEvent.objects.count() == history_before - 2
    assert consented.get("/api/profile").json() == {"profile": None}
    assert consented.get("/api/consent").json()["answer"] == "withdrawn"
    # A second withdrawal has nothing to delete, and says so.
    assert post_json(consented, "/api/consent/withdraw", {}).json() == {"answer": "withdrawn", "deleted": False}


def test_buffered_events_from_before_withdrawal_do_not_recreate_history(consented, route_ids):
    profile = profile_of(consented)
    events_before, history_before = RawEvent.objects.count(), ProfileEvent.objects.count()
    profiles = VisitorProfile.objects.count()
    bodies = [
        event(p=route_ids[0]),
        event("engagement", p=route_ids[0], d={"ms": 5000, "scroll": 10}),
        event("save", d={"route": route_ids[1]}),
        event("rec_click", d={"route": route_ids[2], "placement": "home", "position": 1}),
    ]
    for body in bodies:
        assert post_event(consented, body, drain_after=False).status_code == 202
    if buffer.uses_redis():
        assert buffer.pending_count() == 2 * len(bodies)  # each event and its history record wait in Redis
    assert post_json(consented, "/api/consent/withdraw", {}).json()["deleted"] is True
    drain()
    assert buffer.pending_count() == 0
    assert not VisitorProfile.objects.filter(pk=profile.pk).exists()
    assert VisitorProfile.objects.count() == profiles - 1
    assert ProfileEvent.objects.filter(profile_id=profile.pk).count() == 0
    assert ProfileEvent.objects.count() == history_before
    assert RawEvent.objects.count() == events_before + len(bodies)  # the anonymous counts stay


def test_declining_keeps_no_profile_and_sets_no_identifier(client, notice, route_ids):
    declined = answers("declined", notice.version)
    profiles, saved, history = VisitorProfile.objects.count(), SavedRoute.objects.count(), ProfileEvent.objects.count()
    payload = {"answer": "decline", "version": notice.version, "language": "ko", "saved_routes": route_ids[:2]}
    response = post_json(client, "/api/consent", payload)
    assert response.status_code == 200
    assert response.json() == {"answer": "decline", "notice_version": notice.version}
    assert response.cookies["visitaizu_consent"].value == f"declined.{notice.version}"
    visitor_cookie = response.cookies.get("visitaizu_visitor")
    assert visitor_cookie is None or is_deleted(visitor_cookie)
    assert set(response.cookies) <= ALLOWED_BEFORE_CONSENT | {"visitaizu_visitor"}
    assert VisitorProfile.objects.count() == profiles
    assert SavedRoute.objects.count() == saved
    assert answers("declined", notice.version) == declined + 1
    post_event(client, event(p=route_ids[0]))
    assert ProfileEvent.objects.count() == history


def test_declining_later_deletes_an_existing_profile(consented, notice):
    profile = profile_of(consented)
    payload = {"answer": "decline", "version": notice.version, "language": "en"}
    response = post_json(consented, "/api/consent", payload)
    assert response.status_code == 200
    assert is_deleted(response.cookies["visitaizu_visitor"])
    assert not VisitorProfile.objects.filter(pk=profile.pk).exists()
    assert SavedRoute.objects.filter(profile_id=profile.pk).count() == 0


# --- No identifier before consent ---------------------------------------------------------------------------------


def test_nothing_sets_an_identifying_cookie_before_consent(client, route_ids):
    route = RoutePage.objects.get(pk=route_ids[0])
    responses = {
        "home": client.get("/en/", HTTP_USER_AGENT=CHROME, HTTP_ACCEPT_LANGUAGE="zh-TW"),
        "root": client.get("/", HTTP_USER_AGENT=CHROME, HTTP_ACCEPT_LANGUAGE="zh-TW"),
        "route": client.get(route.url, HTTP_USER_AGENT=CHROME),
        "language switch": client.get("/language/ko/", HTTP_USER_AGENT=CHROME),
        "consent state": client.get("/api/consent", HTTP_USER_AGENT=CHROME),
        "profile": client.get("/api/profile", HTTP_USER_AGENT=CHROME),
        "event": post_event(client, event(u=f"{SITE_URL}/en/", p=route_ids[0])),
        "bad event": post_event(client, event("click")),
        "bot event": post_event(client, event(), user_agent="curl/8.5.0"),
    }
    assert responses["home"].status_code == 200 and responses["route"].status_code == 200
    assert responses["event"].status_code == 202
    for name, response in responses.items():
        assert set(response.cookies) <= ALLOWED_BEFORE_CONSENT, name
        for cookie in response.cookies.values():
            if cookie.key == "visitaizu_consent":
                assert re.fullmatch(r"(agreed|declined|withdrawn)\.\d+", cookie.value), name
            else:
                assert cookie.value in {"ja", "en", "zh-hant", "zh-hans", "ko", "th"}, name
    assert client.get("/api/consent").json() == {
        "notice_version": current_notice().version,
        "answer": None,
        "gpc": False,
        "profile": None,
    }
