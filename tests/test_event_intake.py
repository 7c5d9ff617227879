"""POST /api/events: schema, bots, Global Privacy Control, privacy of addresses, daily salts, rate limit, enrichment.

Every test runs with the Redis buffer (REDIS_URL set) and with the direct one; see tests/analytics_helpers.py.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from analytics import anonymous_ids, buffer
from analytics.anonymous_ids import TOKYO, tokyo_day
from analytics.enrichment import Channel, Device
from analytics.models import GoalDomain, IntakeCount, ProfileEvent, RawEvent
from analytics.schema import EventName
from consent.models import VisitorProfile
from routes.models import RoutePage
from tests.analytics_helpers import (
    ANDROID,
    CHROME,
    FIREFOX,
    IPAD,
    IPHONE,
    SAFARI,
    SITE_URL,
    agree,
    current_notice,
    drain,
    event,
    intake_count,
    post_event,
    post_json,
    profile_of,
    reset_analytics_state,
    stored_state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_salt_memo():
    reset_analytics_state()  # conftest cleared the cache: the memoised salt is stale
    yield
    reset_analytics_state()


@pytest.fixture
def route_ids(db) -> list[int]:
    ids = list(RoutePage.objects.live().order_by("pk").values_list("pk", flat=True)[:4])
    assert len(ids) >= 3, "the demo content should have routes"
    return ids


@pytest.fixture
def consented(client, route_ids):
    """A client holding the cookies of a visitor who agreed to a profile."""
    response = agree(client, current_notice())
    assert response.status_code == 200
    assert client.cookies["visitaizu_visitor"].value
    return client


def only_event(**filters) -> RawEvent:
    rows = list(RawEvent.objects.filter(**filters))
    assert len(rows) == 1, f"expected one event for {filters}, found {len(rows)}"
    return rows[0]


# --- 1. Schema: everything unexpected is refused and nothing is kept -------------------------------------------

URL = SITE_URL + "/en/"
TOO_BIG = json.dumps(event(d=None)).encode()[:-1] + b"," + b'"x":"' + b"a" * 2100 + b'"}'

INVALID_BODIES = [
    # missing and unknown fields
    pytest.param({"n": "pageview"}, 400, "u", id="missing-url"),
    pytest.param({"u": URL}, 400, "n", id="missing-name"),
    pytest.param(event(x=1), 400, "x", id="unknown-top-level-field"),
    pytest.param(event(ip="203.0.113.5"), 400, "ip", id="unknown-field-ip"),
    # wrong types
    pytest.param({"n": "pageview", "u": 5}, 400, "u", id="url-number"),
    pytest.param(event(p="12"), 400, "p", id="page-string"),
    pytest.param(event(p=True), 400, "p", id="page-bool"),
    pytest.param(event(p=1.5), 400, "p", id="page-float"),
    pytest.param(event(f="yes"), 400, "f", id="fallback-string"),
    pytest.param(event(f=1), 400, "f", id="fallback-number"),
    pytest.param(event(a="5"), 400, "a", id="age-string"),
    pytest.param(event(l=["en"]), 400, "l", id="lang-list"),
    pytest.param(event("search", d=[1, 2]), 400, "d", id="props-list"),
    pytest.param(event("search", d={"term": 5, "results": 1}), 400, "term", id="term-number"),
    pytest.param(event("save", d={"route": 5, "saved": "yes"}), 400, "saved", id="saved-string"),
    pytest.param(event("rec_impression", d={"routes": ["5"], "placement": "home"}), 400, "routes", id="routes-str"),
    # unknown event names
    pytest.param(event("click"), 400, "n", id="unknown-event"),
    pytest.param(event("PAGEVIEW"), 400, "n", id="event-wrong-case"),
    pytest.param({"n": 1, "u": URL}, 400, "n", id="event-number"),
    # out of range
    pytest.param(event(p=0), 400, "p", id="page-zero"),
    pytest.param(event(p=2**31), 400, "p", id="page-too-big"),
    pytest.param(event(a=-1), 400, "a", id="age-negative"),
    pytest.param(event("engagement", d={"ms": 1000, "scroll": 101}), 400, "scroll", id="scroll-101"),
    pytest.param(event("engagement", d={"ms": -1, "scroll": 5}), 400, "ms", id="ms-negative"),
    pytest.param(event("engagement", d={"ms": 6 * 3600 * 1000 + 1, "scroll": 5}), 400, "ms", id="ms-over-6h"),
    pytest.param(event("search", d={"term": "onsen", "results": -1}), 400, "results", id="results-negative"),
    pytest.param(
        event("rec_click", d={"route": 5, "placement": "home", "position": 21}), 400, "position", id="position-21"
    ),
    pytest.param(event("rec_impression", d={"routes": [], "placement": "home"}), 400, "routes", id="routes-empty"),
    pytest.param(
        event("rec_impression", d={"routes": list(range(1, 22)), "placement": "home"}), 400, "routes", id="routes-21"
    ),
    pytest.param(event(u=URL + "x" * 1000), 400, "u", id="url-too-long"),
    pytest.param(event("search", d={"term": "a" * 101, "results": 1}), 400, "term", id="term-too-long"),
    # missing or foreign props
    pytest.param(event("search", d={"term": "onsen"}), 400, "results", id="search-without-results"),
    pytest.param(event("engagement"), 400, "ms", id="engagement-without-props"),
    pytest.param(event(d={"term": "onsen"}), 400, "d", id="pageview-with-search-props"),
    pytest.param(event("search", d={"term": "a", "results": 1, "ms": 5}), 400, "d", id="search-with-engagement-prop"),
    pytest.param(event("outbound", d={"route": 5}), 400, "d", id="outbound-with-route"),
    # URLs that are not absolute http(s)
    pytest.param(event(u="javascript:alert(1)"), 400, "u", id="javascript-url"),
    pytest.param(event(u="ftp://testserver/en/"), 400, "u", id="ftp-url"),
    pytest.param(event(u="/en/routes/"), 400, "u", id="relative-url"),
    pytest.param(event(r="data:text/html,hello"), 400, "r", id="data-referrer"),
    pytest.param(event("outbound", d={"href": "mailto:info@example.com"}), 400, "href", id="mailto-href"),
    pytest.param(event(u="http://[broken/en/"), 400, "u", id="unparseable-url"),
    # script injection
    pytest.param(event("search", d={"term": "<script>alert(1)</script>", "results": 0}), 400, "term", id="xss-term"),
    pytest.param(event(u=URL + "<script>alert(1)</script>"), 400, "u", id="xss-url"),
    pytest.param(event(r="https://evil.example/<script>"), 400, "r", id="xss-referrer"),
    pytest.param(event("outbound", d={"href": "https://x.example/<img src=x>"}), 400, "href", id="xss-href"),
    pytest.param(event("rec_click", d={"route": 5, "placement": "<b>", "position": 1}), 400, "placement", id="xss-pl"),
    pytest.param(event("search", d={"term": "on\x00sen", "results": 0}), 400, "term", id="nul-in-term"),
    pytest.param(event(t="<script>"), 400, "t", id="xss-page-type"),
    # unknown page type and language
    pytest.param(event(t="routes.nosuchpage"), 400, "t", id="unknown-page-type"),
    pytest.param(event(t="auth.user"), 400, "t", id="model-that-is-no-page"),
    pytest.param(event(t="Routes.RoutePage"), 400, "t", id="page-type-format"),
    pytest.param(event(l="fr"), 400, "l", id="language-not-of-site"),
    pytest.param(event(l="xx-yy-zz"), 400, "l", id="language-format"),
    pytest.param(event("language", d={"to": "EN_us"}), 400, "to", id="switch-to-format"),
    # bodies that are not one JSON object
    pytest.param(b"", 400, "body", id="empty-body"),
    pytest.param(b"n=pageview&u=x", 400, "body", id="form-encoded"),
    pytest.param(b"\xff\xfe\xfa", 400, "body", id="binary"),
    pytest.param(b"{'n': 'pageview'}", 400, "body", id="python-literal"),
    pytest.param(json.dumps([event()]).encode(), 400, "body", id="json-array"),
    pytest.param(b'"pageview"', 400, "body", id="json-string"),
    pytest.param(b"null", 400, "body", id="json-null"),
    pytest.param(b"[" * 1000 + b"]" * 1000, 400, "body", id="deeply-nested"),
    pytest.param(
        b'{"n": "search", "u": "' + URL.encode() + b'", "d": {"term": "\\ud800", "results": 1}}',
        400,
        "term",
        id="lone-surrogate",
    ),  # fmt: skip
    # too large
    pytest.param(TOO_BIG, 413, "body", id="over-2048-bytes"),
    pytest.param(b" " * 2049, 413, "body", id="2049-spaces"),
]


@pytest.mark.parametrize(("body", "status", "field"), INVALID_BODIES)
def test_invalid_bodies_are_refused_with_the_field_and_nothing_is_kept(consented, body, status, field):
    before = stored_state()
    response = post_event(consented, body, drain_after=False)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["field"] == field
    assert isinstance(error["message"], str) and error["message"]
    assert buffer.pending_count() == 0  # nothing queued in Redis either
    drain()
    assert stored_state() == before


def test_the_refused_body_limits_are_exact(client):
    """2048 bytes are fine, 2049 are not."""
    body = json.dumps(event()).encode()
    padded = body[:-1] + b" " * (2048 - len(body)) + b"}"
    assert len(padded) == 2048
    assert post_event(client, padded).status_code == 202
    assert post_event(client, padded[:-1] + b" }").status_code == 413


def test_get_is_not_allowed(client):
    before = stored_state()
    response = client.get("/api/events", HTTP_USER_AGENT=CHROME)
    assert response.status_code == 405
    assert stored_state() == before


def test_cross_origin_requests_are_forbidden(client):
    before = stored_state()
    response = post_event(client, event(), drain_after=False, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert response.json()["error"]["field"] == "origin"
    assert buffer.pending_count() == 0
    drain()
    assert stored_state() == before
    # The site's own origin is fine.
    assert post_event(client, event(), HTTP_ORIGIN="http://testserver").status_code == 202
    assert RawEvent.objects.count() == before["raw_events"] + 1


def test_a_valid_event_is_accepted_and_stored(client):
    before = RawEvent.objects.count()
    response = post_event(client, event(u=URL + "accepted-probe/"))
    assert response.status_code == 202
    assert response.json() == {"ok": True, "counted": True}
    assert response["Cache-Control"] == "no-store"
    assert RawEvent.objects.count() == before + 1
    assert only_event(path="/en/accepted-probe/").name == EventName.PAGEVIEW
    assert buffer.pending_count() == 0


# --- 2. Random bodies never cause a server error ---------------------------------------------------------------

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(exclude_categories=()), max_size=40)  # surrogates included
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=12,
)
FIELD_NAMES = st.sampled_from(["n", "u", "r", "p", "t", "l", "f", "a", "d", "x", ""])
PROP_NAMES = st.sampled_from(["ms", "scroll", "href", "term", "results", "to", "route", "saved", "routes",
                              "placement", "position", "x"])  # fmt: skip
SPECIAL_VALUES = st.sampled_from([
    0, -1, 1, 2**31 - 1, 2**31, 2**63, -(2**63) - 1, 10**30, True, False, None, "", " ", [], {}, 1e308, -0.0,
    "http://[", "http://", "https://", "http://x:99999/", "https://testserver/en/?utm_source=x&utm_medium=cpc",
    "https://xn--zckzah.example/\u00e9", "https://a.b/" + "%" * 50, "\u0130" * 16, "zh-hant", "ja", "routes.routepage",
    "a" * 300, "ß" * 40, "\x7f", "\u2028", "\ud800", "\U0001f600" * 30,
])  # fmt: skip
VALID_EVENTS = [
    event(p=5, t="routes.routepage", l="ja", f=True, r="https://www.google.com/", a=1000),
    event("engagement", p=5, d={"ms": 5000, "scroll": 50}),
    event("outbound", p=5, d={"href": "https://www.booking.com/hotel"}),
    event("search", d={"term": "onsen", "results": 3}),
    event("404"),
    event("language", d={"to": "ko"}),
    event("save", d={"route": 5, "saved": False}),
    event("rec_impression", d={"routes": [1, 2, 3], "placement": "home"}),
    event("rec_click", d={"route": 2, "placement": "home", "position": 2}),
]


SAFE_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="<>"), max_size=60)
PLAUSIBLE = {  # values of the right type and shape, so that many mutated events still pass and get stored
    "u": st.builds(
        lambda path, query: f"https://testserver/{path}{query}",
        SAFE_TEXT,
        st.sampled_from(["", "?utm_source=news&utm_medium=email", "?utm_medium=cpc&utm_campaign=Winter", "#top"]),
    ),
    "r": st.sampled_from(["", "https://www.google.com/", "https://chatgpt.com/c/1", "http://testserver/en/"]),
    "p": st.integers(1, 2**31 - 1),
    "a": st.integers(0, 2**31 - 1),
    "l": st.sampled_from(["ja", "en", "zh-hant", "zh-hans", "ko", "th"]),
    "f": st.booleans(),
    "t": st.sampled_from(["routes.routepage", "routes.spotpage", "content.homepage"]),
}
PLAUSIBLE_PROPS = {
    "term": SAFE_TEXT.filter(lambda text: len(text.strip()) <= 100),
    "results": st.integers(0, 1_000_000),
    "ms": st.integers(0, 6 * 3600 * 1000),
    "scroll": st.integers(0, 100),
    "route": st.integers(1, 2**31 - 1),
    "position": st.integers(1, 20),
    "href": st.builds(lambda text: f"https://booking.example/{text}", SAFE_TEXT),
}


@st.composite
def mutated_events(draw) -> bytes:
    body = json.loads(json.dumps(draw(st.sampled_from(VALID_EVENTS))))
    for _ in range(draw(st.integers(0, 4))):
        action = draw(
            st.sampled_from(["plausible", "plausible", "set", "delete", "set-prop", "delete-prop", "add-prop"])
        )
        values = SPECIAL_VALUES | JSON_VALUES
        if action == "plausible":
            key = draw(st.sampled_from(sorted(PLAUSIBLE) + sorted(PLAUSIBLE_PROPS)))
            if key in PLAUSIBLE:
                body[key] = draw(PLAUSIBLE[key])
            elif isinstance(body.get("d"), dict) and key in body["d"]:
                body["d"][key] = draw(PLAUSIBLE_PROPS[key])
        elif action == "set":
            body[draw(FIELD_NAMES)] = draw(values)
        elif action == "delete" and body:
            body.pop(draw(st.sampled_from(sorted(body))))
        elif isinstance(body.get("d"), dict):
            props = body["d"]
            if action == "delete-prop" and props:
                props.pop(draw(st.sampled_from(sorted(props))))
            elif action == "set-prop" and props:
                props[draw(st.sampled_from(sorted(props)))] = draw(values)
            else:
                props[draw(PROP_NAMES)] = draw(values)
    raw = json.dumps(body, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0 and raw:  # now and then corrupt the bytes too
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + draw(st.binary(max_size=3)) + raw[at + 1 :]
    return raw


REQUEST_HEADERS = st.fixed_dictionaries(
    {
        "REMOTE_ADDR": st.integers(1, 250).map(lambda n: f"198.51.100.{n}"),
        "HTTP_ACCEPT_LANGUAGE": st.sampled_from(["", "zh-TW,zh;q=0.9", "ja", "*", "en-us", "th-TH", "ß-ßß"]),
    },
    optional={
        "user_agent": st.sampled_from([IPHONE, ANDROID, SAFARI, "curl/8.5.0", "", "Mozilla/5.0 (ß; \u00e9)"]),
        "HTTP_SEC_GPC": st.just("1"),
        "HTTP_CF_IPCOUNTRY": st.sampled_from(["TW", "XX", "", "ßß", "t1", "JPN"]),
    },
)
FUZZ = hypothesis_settings(
    deadline=None,
    database=None,  # keep no example database in the shared working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _never_a_server_error(client: Client, body: bytes, headers: dict, statuses: Counter) -> None:
    headers = dict(headers)
    user_agent = headers.pop("user_agent", CHROME)
    response = post_event(client, body, user_agent=user_agent, drain_after=False, **headers)
    statuses[response.status_code] += 1
    assert response.status_code in {202, 400, 403, 413, 429}, (response.status_code, body)
    if response.status_code != 202:
        error = response.json()["error"]
        assert isinstance(error["field"], str) and error["message"]


def test_random_bodies_never_cause_a_server_error(consented):
    statuses = Counter()

    @hypothesis_settings(FUZZ, max_examples=500)
    @given(body=st.binary(max_size=2100), headers=REQUEST_HEADERS)
    def random_bytes(body, headers):
        _never_a_server_error(consented, body, headers, statuses)

    @hypothesis_settings(FUZZ, max_examples=600)
    @given(
        value=JSON_VALUES | st.dictionaries(FIELD_NAMES, JSON_VALUES, max_size=9),
        headers=REQUEST_HEADERS,
    )
    def random_json(value, headers):
        _never_a_server_error(consented, json.dumps(value).encode(), headers, statuses)

    @hypothesis_settings(FUZZ, max_examples=900)
    @given(body=mutated_events(), headers=REQUEST_HEADERS)
    def mutated(body, headers):
        _never_a_server_error(consented, body, headers, statuses)

    random_bytes()
    random_json()
    mutated()
    print(f"\nrandom bodies: {sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}")
    assert sum(statuses.values()) >= 2000
    assert statuses[202] >= 100 and statuses[400] >= 500  # both the storing and the refusing paths were exercised
    # Whatever was accepted can also be written: a record that fails in the database would block the drain.
    drain()
    assert buffer.pending_count() == 0
    assert RawEvent.objects.count() > 0


# --- 3. Bots ---------------------------------------------------------------------------------------------------

BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
    "",
    "   ",
]


def test_bots_are_counted_per_day_but_not_kept(client):
    before_events = RawEvent.objects.count()
    before_bots = intake_count(IntakeCount.Kind.BOT)
    sent = 0
    for user_agent in BOTS + BOTS[:3]:
        response = post_event(client, event(), user_agent=user_agent)
        assert response.status_code == 202, user_agent
        assert response.json() == {"ok": True, "counted": False}, user_agent
        sent += 1
    # No User-Agent header at all is a bot too.
    response = client.post("/api/events", data=json.dumps(event()), content_type="text/plain")
    drain()
    assert response.json() == {"ok": True, "counted": False}
    sent += 1
    assert RawEvent.objects.count() == before_events
    assert intake_count(IntakeCount.Kind.BOT) == before_bots + sent
    assert buffer.pending_count() == 0


@pytest.mark.parametrize("user_agent", [CHROME, SAFARI, FIREFOX, IPHONE, ANDROID, IPAD])
def test_ordinary_browsers_are_counted(client, user_agent):
    before_events = RawEvent.objects.count()
    before_bots = intake_count(IntakeCount.Kind.BOT)
    response = post_event(client, event(), user_agent=user_agent)
    assert response.json() == {"ok": True, "counted": True}
    assert RawEvent.objects.count() == before_events + 1
    assert intake_count(IntakeCount.Kind.BOT) == before_bots


def test_bots_with_invalid_bodies_are_still_refused(client):
    before = stored_state()
    response = post_event(client, event("click"), user_agent="curl/8.5.0")
    assert response.status_code == 400
    assert stored_state() == before


# --- 4. Global Privacy Control -----------------------------------------------------------------------------------


def test_gpc_events_are_counted_anonymously_without_profile_history(consented, route_ids):
    profile = profile_of(consented)
    before_events = RawEvent.objects.count()
    for body in (
        event(p=route_ids[0], u=URL + "gpc-probe/"),
        event("save", d={"route": route_ids[0]}),
        event("rec_click", d={"route": route_ids[1], "placement": "home", "position": 1}),
    ):
        response = post_event(consented, body, HTTP_SEC_GPC="1")
        assert response.json() == {"ok": True, "counted": True}
    assert RawEvent.objects.count() == before_events + 3
    assert only_event(path="/en/gpc-probe/").page == route_ids[0]
    assert ProfileEvent.objects.filter(profile=profile).count() == 0
    # Control: the same cookies without the GPC signal do write history.
    post_event(consented, event(p=route_ids[0]))
    assert list(ProfileEvent.objects.filter(profile=profile).values_list("kind", "page")) == [("view", route_ids[0])]


def test_gpc_agreement_is_refused(client):
    notice = current_notice()
    before = VisitorProfile.objects.count()
    response = agree(client, notice, HTTP_SEC_GPC="1")
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "answer"
    assert VisitorProfile.objects.count() == before
    assert "visitaizu_visitor" not in response.cookies


# --- 5. Privacy: no IP address or user agent anywhere ---------------------------------------------------------

PROBE_IP = "203.0.113.77"
PROBE_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 ZebraProbe/7.7"
)
NEEDLES = (PROBE_IP, "ZebraProbe")
POSITIVE_CONTROL = "privacy-probe-path"


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def database_hits(needle: str) -> list[str]:
    """Every table and column of the database whose value, as text, contains `needle`."""
    quote = connection.ops.quote_name
    hits = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        assert "analytics_rawevent" in tables and "consent_visitorprofile" in tables
        for table in tables:
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            if not columns:
                continue
            condition = " OR ".join(f"CAST({quote(c)} AS TEXT) LIKE %s" for c in columns)
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)} WHERE {condition}", [f"%{needle}%"] * len(columns))
            if cursor.fetchone()[0]:
                for column in columns:
                    sql = f"SELECT COUNT(*) FROM {quote(table)} WHERE CAST({quote(column)} AS TEXT) LIKE %s"
                    cursor.execute(sql, [f"%{needle}%"])
                    if cursor.fetchone()[0]:
                        hits.append(f"{table}.{column}")
    return hits


def redis_hits(needle: str) -> list[str]:
    """Keys of the Redis database (cache, buffer, rate counters, salts) whose name or value contains `needle`."""
    client = buffer.redis_client()
    wanted = needle.encode()
    hits = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"string":
            values = [client.get(key)]
        elif kind == b"list":
            values = client.lrange(key, 0, -1)
        elif kind == b"set":
            values = list(client.smembers(key))
        elif kind == b"hash":
            values = [part for pair in client.hgetall(key).items() for part in pair]
        elif kind == b"zset":
            values = client.zrange(key, 0, -1)
        else:
            values = [repr(client.dump(key)).encode()]
        if wanted in key or any(value and wanted in value for value in values):
            hits.append(key.decode(errors="replace"))
    return hits


def local_cache_hits(needle: str) -> list[str]:
    """The test settings' local-memory cache (used without Redis): its pickled values, searched as bytes."""
    backend = caches["default"]
    if not isinstance(backend, LocMemCache):
        return []
    store = backend._cache
    wanted = needle.encode()
    return [key for key, value in list(store.items()) if wanted in key.encode() or wanted in bytes(value)]


def test_no_address_or_user_agent_is_stored_logged_or_cached(client, settings, caplog, capfd, route_ids):
    collected = _Collect()
    quiet = [logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)]
    caplog.set_level(logging.DEBUG)
    for logger in quiet:
        caplog.set_level(logging.DEBUG, logger=logger.name)
        if not logger.propagate:
            logger.addHandler(collected)
    logging.getLogger().addHandler(collected)
    try:
        notice = current_notice()
        meta = {"REMOTE_ADDR": PROBE_IP, "HTTP_ACCEPT_LANGUAGE": "zh-TW,zh;q=0.9", "drain_after": False}
        via_proxy = {"REMOTE_ADDR": "10.0.0.8", "HTTP_X_FORWARDED_FOR": f"198.51.100.3, {PROBE_IP}"}
        bodies = [
            event(
                u=f"{SITE_URL}/en/{POSITIVE_CONTROL}/?utm_source=news&utm_medium=email",
                p=route_ids[0],
                r="https://www.google.com/search?q=aizu",
            ),  # fmt: skip
            event("engagement", p=route_ids[0], d={"ms": 12000, "scroll": 70}),
            event("search", d={"term": "onsen", "results": 0}),
            event("outbound", p=route_ids[0], d={"href": "https://www.booking.com/hotel/jp/aizu.html"}),
            event("save", d={"route": route_ids[1], "saved": True}),
            event("rec_impression", d={"routes": route_ids[:3], "placement": "home"}),
            event("rec_click", d={"route": route_ids[2], "placement": "home", "position": 3}),
            event("language", d={"to": "zh-hant"}),
            event("404", u=f"{SITE_URL}/en/missing/"),
        ]
        # Anonymous visitor, by REMOTE_ADDR.
        for body in bodies:
            assert post_event(client, body, user_agent=PROBE_UA, **meta).status_code == 202
        # Refused bodies, a bot carrying the probe, a cross-origin request.
        assert post_event(client, event("click"), user_agent=PROBE_UA, **meta).status_code == 400
        assert post_event(client, b"x" * 3000, user_agent=PROBE_UA, **meta).status_code == 413
        bot = f"Mozilla/5.0 (compatible; Googlebot/2.1; {PROBE_UA})"
        assert post_event(client, event(), user_agent=bot, **meta).json()["counted"] is False
        assert (
            post_event(client, event(), user_agent=PROBE_UA, HTTP_ORIGIN="https://x.example", **meta).status_code == 403
        )
        # A consented visitor: profile, preferences, history; and one who agrees and then withdraws.
        consenting = Client()
        response = agree(consenting, notice, saved_routes=route_ids[:2], REMOTE_ADDR=PROBE_IP, HTTP_USER_AGENT=PROBE_UA)
        assert response.status_code == 200
        for body in bodies:
            assert post_event(consenting, body, user_agent=PROBE_UA, **meta).status_code == 202
        response = post_json(consenting, "/api/profile", {"interests": ["onsen"], "party": "couple", "travel_month": 2},
                             user_agent=PROBE_UA, REMOTE_ADDR=PROBE_IP)  # fmt: skip
        assert response.status_code == 200
        assert consenting.get("/api/consent", HTTP_USER_AGENT=PROBE_UA, REMOTE_ADDR=PROBE_IP).status_code == 200
        leaving = Client()
        assert agree(leaving, notice, REMOTE_ADDR=PROBE_IP, HTTP_USER_AGENT=PROBE_UA).status_code == 200
        post_json(leaving, "/api/consent/withdraw", {"language": "en"}, user_agent=PROBE_UA, REMOTE_ADDR=PROBE_IP)
        declining = Client()
        post_json(declining, "/api/consent", {"answer": "decline", "version": notice.version, "language": "en"},
                  user_agent=PROBE_UA, REMOTE_ADDR=PROBE_IP)  # fmt: skip
        # Behind a proxy that passes the address in X-Forwarded-For.
        settings.ANALYTICS_CLIENT_IP_HEADER = "X-Forwarded-For"
        for body in bodies:
            assert post_event(client, body, user_agent=PROBE_UA, drain_after=False, **via_proxy).status_code == 202
        agree(Client(), notice, HTTP_USER_AGENT=PROBE_UA, **via_proxy)
        # Over the rate limit.
        settings.ANALYTICS_RATE_LIMIT = 2
        statuses = {post_event(client, event(), user_agent=PROBE_UA, **meta).status_code for _ in range(4)}
        assert 429 in statuses

        if buffer.uses_redis():
            assert buffer.pending_count() > 0
            assert redis_hits(POSITIVE_CONTROL), "the Redis search should find the queued events"
            for needle in NEEDLES:
                assert redis_hits(needle) == [], needle
        drain()
        if buffer.uses_redis():
            for needle in NEEDLES:
                assert redis_hits(needle) == [], needle
        for needle in NEEDLES:
            assert local_cache_hits(needle) == [], needle
        assert database_hits(POSITIVE_CONTROL), "the database search should find the stored events"
        for needle in NEEDLES:
            assert database_hits(needle) == [], needle
        assert ProfileEvent.objects.count() > 0 and VisitorProfile.objects.exists()
    finally:
        logging.getLogger().removeHandler(collected)
        for logger in quiet:
            logger.removeHandler(collected)
    captured = capfd.readouterr()
    assert collected.lines, "some log records (e.g. the 4xx warnings) should have been captured"
    logs = "\n".join([*collected.lines, caplog.text, captured.out, captured.err])
    for needle in NEEDLES:
        assert needle not in logs


def test_the_proxy_header_names_the_visitor_when_configured(client, settings):
    settings.ANALYTICS_CLIENT_IP_HEADER = "X-Forwarded-For"
    sends = [
        ("a", "10.0.0.1", "198.51.100.3, 203.0.113.10"),
        ("b", "10.0.0.2", "198.51.100.99, 203.0.113.10"),  # other proxy chain, same last hop: same visitor
        ("c", "10.0.0.1", "198.51.100.3, 203.0.113.11"),  # same proxy, other visitor
    ]
    for tag, remote, forwarded in sends:
        body = event(u=f"{URL}proxy-{tag}/")
        assert post_event(client, body, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded).status_code == 202
    a, b, c = (only_event(path=f"/en/proxy-{tag}/").visitor for tag, _r, _f in sends)
    assert a == b != c
    settings.ANALYTICS_CLIENT_IP_HEADER = ""
    post_event(client, event(u=f"{URL}proxy-d/"), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert only_event(path="/en/proxy-d/").visitor not in {a, c}  # the header is ignored unless configured


# --- 6. Daily salts ----------------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for every timezone.now() caller (intake, salts, storage)."""

    class Clock:
        now = timezone.now()

        def set(self, value: dt.datetime) -> None:
            self.now = value

    fake = Clock()
    monkeypatch.setattr(anonymous_ids.timezone, "now", lambda: fake.now)
    reset_analytics_state()
    return fake


def salt_key(day: dt.date) -> str:
    return anonymous_ids._KEY.format(day=day.isoformat())


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TOKYO)


def test_the_visitor_id_holds_for_one_tokyo_day(client, clock):
    today = tokyo_day(timezone.now())
    start = day_start(today)
    moments = {
        "early": start + dt.timedelta(seconds=1),
        "late": start + dt.timedelta(hours=23, minutes=59, seconds=59),
        "next-day": start + dt.timedelta(days=1),
    }
    assert moments["next-day"].astimezone(dt.UTC).hour == 15  # 00:00 in Tokyo is 15:00 UTC
    for tag, moment in moments.items():
        clock.set(moment)  # no forget_memo(): the memo must notice the new day by itself
        assert post_event(client, event(u=f"{URL}salt-{tag}/"), REMOTE_ADDR="198.51.100.40").status_code == 202
    clock.set(moments["late"])
    post_event(client, event(u=f"{URL}salt-other/"), REMOTE_ADDR="198.51.100.41")
    ids = {tag: only_event(path=f"/en/salt-{tag}/").visitor for tag in [*moments, "other"]}
    assert ids["early"] == ids["late"]
    assert ids["next-day"] != ids["early"]
    assert ids["other"] != ids["late"]
    assert only_event(path="/en/salt-next-day/").at == moments["next-day"]


def test_the_day_changes_at_15_utc(clock):
    clock.set(dt.datetime(2026, 3, 9, 14, 59, 59, 999000, tzinfo=dt.UTC))
    assert tokyo_day() == dt.date(2026, 3, 9)
    before = anonymous_ids.visitor_hash(1, "198.51.100.7", CHROME)
    clock.set(dt.datetime(2026, 3, 9, 15, 0, 0, tzinfo=dt.UTC))
    assert tokyo_day() == dt.date(2026, 3, 10)
    after = anonymous_ids.visitor_hash(1, "198.51.100.7", CHROME)
    assert before != after
    assert anonymous_ids.visitor_hash(1, "198.51.100.7", CHROME) == after
    assert anonymous_ids.salt_for(dt.date(2026, 3, 9)) != anonymous_ids.salt_for(dt.date(2026, 3, 10))


def test_salts_are_deleted_48_hours_after_their_day_begins(clock):
    day = dt.date(2026, 3, 9)
    clock.set(day_start(day) + dt.timedelta(hours=10))
    salt = anonymous_ids.salt_for(day)
    assert len(salt) == 16 and cache.get(salt_key(day)) == salt
    clock.set(day_start(day) + dt.timedelta(days=1, hours=3))
    next_salt = anonymous_ids.salt_for(day + dt.timedelta(days=1))

    clock.set(day_start(day) + dt.timedelta(hours=48) - dt.timedelta(seconds=1))
    anonymous_ids.delete_old_salts()
    assert cache.get(salt_key(day)) == salt  # 47:59:59 after it began: still there
    assert anonymous_ids.salt_for(day) == salt

    clock.set(day_start(day) + dt.timedelta(hours=48))
    assert anonymous_ids.delete_old_salts() >= 1
    assert cache.get(salt_key(day)) is None
    with pytest.raises(LookupError):
        anonymous_ids.salt_for(day)
    assert cache.get(salt_key(day)) is None  # salt_for must not have made a new one
    assert cache.get(salt_key(day + dt.timedelta(days=1))) == next_salt  # the next day's is kept


def test_processes_share_the_salt_of_the_day(clock):
    clock.set(dt.datetime(2026, 7, 1, 3, 0, tzinfo=dt.UTC))
    first = anonymous_ids.todays_salt()
    first_id = anonymous_ids.visitor_hash(1, "198.51.100.8", SAFARI)
    anonymous_ids.forget_memo()  # "another process": no memo, reads the shared cache
    clock.set(dt.datetime(2026, 7, 1, 14, 0, tzinfo=dt.UTC))
    assert anonymous_ids.todays_salt() == first
    assert anonymous_ids.visitor_hash(1, "198.51.100.8", SAFARI) == first_id
    assert cache.get(salt_key(dt.date(2026, 7, 1))) == first


# --- 7. Rate limit -----------------------------------------------------------------------------------------------


def test_one_visitor_over_the_rate_limit_gets_429_and_others_do_not(client, settings):
    settings.ANALYTICS_RATE_LIMIT = 10
    before_events = RawEvent.objects.count()
    before_limited = intake_count(IntakeCount.Kind.RATE_LIMITED)
    statuses = [
        post_event(client, event(u=f"{URL}burst/"), REMOTE_ADDR="198.51.100.50", drain_after=False).status_code
        for _ in range(settings.ANALYTICS_RATE_LIMIT + 5)
    ]
    assert statuses == [202] * 10 + [429] * 5
    refused = post_event(client, event(), REMOTE_ADDR="198.51.100.50", drain_after=False)
    assert refused.json()["error"]["field"] == "visitor"
    # Other visitors: another address, or the same address with another browser.
    assert post_event(client, event(u=f"{URL}other/"), REMOTE_ADDR="198.51.100.51").status_code == 202
    assert (
        post_event(client, event(u=f"{URL}other/"), REMOTE_ADDR="198.51.100.50", user_agent=FIREFOX).status_code == 202
    )
    drain()
    assert RawEvent.objects.filter(path="/en/burst/").count() == 10
    assert RawEvent.objects.count() == before_events + 12
    assert intake_count(IntakeCount.Kind.RATE_LIMITED) == before_limited + 1


# --- 8. Enrichment -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "cookie", "country", "browser_lang"),
    [
        ({"HTTP_CF_IPCOUNTRY": "tw", "HTTP_ACCEPT_LANGUAGE": "ja-JP"}, None, "TW", "ja-jp"),
        ({"HTTP_ACCEPT_LANGUAGE": "zh-TW,zh;q=0.9,en;q=0.8"}, None, "TW", "zh-tw"),
        ({"HTTP_CF_IPCOUNTRY": "XX", "HTTP_ACCEPT_LANGUAGE": "ko-KR"}, None, "KR", "ko-kr"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "hk", "HK", "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "th-TH"}, "hk", "TH", "th-th"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, None, "", "en"),
        ({}, "12", "", ""),
        ({"HTTP_CF_IPCOUNTRY": "ßß"}, "ßx", "", ""),  # "ß".upper() is "SS": not a country code
    ],
)
def test_country_comes_from_the_cdn_header_then_the_browser_language_then_the_cookie(
    client, meta, cookie, country, browser_lang
):
    if cookie:
        client.cookies["visitaizu_country"] = cookie
    assert post_event(client, event(u=f"{URL}country/"), **meta).status_code == 202
    stored = only_event(path="/en/country/")
    assert (stored.country, stored.browser_lang) == (country, browser_lang)


@pytest.mark.parametrize(
    ("user_agent", "device", "browser", "os"),
    [
        (IPHONE, Device.MOBILE, "Mobile Safari", "iOS"),
        (ANDROID, Device.MOBILE, "Chrome Mobile", "Android"),
        (IPAD, Device.TABLET, "Mobile Safari", "iOS"),
        (CHROME, Device.DESKTOP, "Chrome", "Windows"),
        (FIREFOX, Device.DESKTOP, "Firefox", "Ubuntu"),
    ],
)
def test_device_browser_and_os(client, user_agent, device, browser, os):
    post_event(client, event(u=f"{URL}device/"), user_agent=user_agent)
    stored = only_event(path="/en/device/")
    assert (stored.device, stored.browser, stored.os) == (device, browser, os)


@pytest.mark.parametrize(
    ("referrer", "query", "channel", "stored_referrer"),
    [
        ("https://www.google.com/search?q=aizu+wakamatsu", "", Channel.SEARCH, "www.google.com"),
        ("https://www.google.co.jp/", "", Channel.SEARCH, "www.google.co.jp"),
        ("https://m.facebook.com/story.php?id=1", "", Channel.SOCIAL, "m.facebook.com"),
        ("https://chatgpt.com/c/abc", "", Channel.AI_ASSISTANT, "chatgpt.com"),
        (None, "?utm_source=newsletter&utm_medium=email&utm_campaign=Winter", Channel.EMAIL, ""),
        ("https://www.google.com/", "?utm_source=google&utm_medium=cpc", Channel.PAID, "www.google.com"),
        (None, "", Channel.DIRECT, ""),
        ("http://testserver/en/routes/", "", Channel.INTERNAL, ""),
        ("https://blog.example.org/aizu-trip", "", Channel.REFERRAL, "blog.example.org"),
    ],
)
def test_channels(client, referrer, query, channel, stored_referrer):
    body = event(u=f"{URL}channel/{query}")
    if referrer:
        body["r"] = referrer
    post_event(client, body)
    stored = only_event(path="/en/channel/")
    assert stored.channel == channel
    assert stored.referrer == stored_referrer  # the host only: never the referrer's path or query


def test_utm_tags_are_stored_lower_case_and_the_query_is_not(client):
    post_event(client, event(u=f"{URL}utm/?utm_source=Newsletter&utm_medium=email&utm_campaign=Winter-2026&x=1"))
    stored = only_event(path="/en/utm/")
    assert (stored.utm_source, stored.utm_medium, stored.utm_campaign) == ("newsletter", "email", "winter-2026")


def test_goals_follow_the_goal_domains_including_subdomains(client):
    GoalDomain.objects.update_or_create(domain="rail-aizu.example", defaults={"kind": GoalDomain.Kind.RAIL})
    GoalDomain.objects.update_or_create(domain="stay-aizu.example", defaults={"kind": GoalDomain.Kind.BOOKING})
    clicks = {
        "https://www.reserve.rail-aizu.example/seat?x=1": ("www.reserve.rail-aizu.example", "rail"),
        "https://rail-aizu.example/": ("rail-aizu.example", "rail"),
        "https://Secure.Stay-Aizu.example/book.html?hotel=1": ("secure.stay-aizu.example", "booking"),
        "https://notrail-aizu.example/": ("notrail-aizu.example", "outbound"),
        "https://stay-aizu.example.evil.example/": ("stay-aizu.example.evil.example", "outbound"),
        "https://www.bus-aizu.example/timetable": ("www.bus-aizu.example", "outbound"),
    }
    for n, href in enumerate(clicks):
        post_event(client, event("outbound", u=f"{URL}goal-{n}/", d={"href": href}))
    for n, expected in enumerate(clicks.values()):
        stored = only_event(path=f"/en/goal-{n}/")
        assert (stored.target, stored.goal) == expected
    # Staff add a domain: the next click counts at once (the cached list is cleared).
    GoalDomain.objects.create(domain="bus-aizu.example", kind=GoalDomain.Kind.BUS)
    post_event(client, event("outbound", u=f"{URL}goal-bus/", d={"href": "https://www.bus-aizu.example/timetable"}))
    assert only_event(path="/en/goal-bus/").goal == "bus"


@pytest.mark.parametrize(
    ("age_ms", "shift_ms"),
    [(0, 0), (1500, 1500), (5 * 60 * 1000, 5 * 60 * 1000), (10 * 60 * 1000, 10 * 60 * 1000),
     (10 * 60 * 1000 + 1, 0), (3_600_000, 0)],
)  # fmt: skip
def test_the_client_age_shifts_the_time_back_up_to_ten_minutes(client, clock, age_ms, shift_ms):
    now = timezone.now().replace(microsecond=123000)
    clock.set(now)
    post_event(client, event(u=f"{URL}age/", a=age_ms))
    assert only_event(path="/en/age/").at == now - dt.timedelta(milliseconds=shift_ms)


def test_each_event_keeps_its_props_in_the_right_columns(client, route_ids):
    route_type = ContentType.objects.get_for_model(RoutePage).pk
    GoalDomain.objects.update_or_create(domain="booking.com", defaults={"kind": GoalDomain.Kind.BOOKING})
    r1, r2, r3 = route_ids[:3]
    sends = {
        "pageview": event(p=r1, t="routes.routepage", l="ko", f=True),
        "engagement": event("engagement", p=r1, d={"ms": 45000, "scroll": 80}),
        "outbound": event("outbound", p=r1, d={"href": "https://www.booking.com/hotel/jp/x.html"}),
        "search": event("search", d={"term": "  snow onsen ", "results": 0}),
        "404": event("404"),
        "language": event("language", d={"to": "zh-hant"}),
        "save": event("save", d={"route": r2}),
        "unsave": event("save", d={"route": r2, "saved": False}),
        "rec_impression": event("rec_impression", d={"routes": [r1, r2, r3], "placement": "route-related"}),
        "rec_click": event("rec_click", d={"route": r3, "placement": "route-related", "position": 3}),
    }
    for tag, body in sends.items():
        body["u"] = f"{URL}props-{tag}/?q=1"
        assert post_event(client, body).status_code == 202, tag
    columns = ("name", "page", "page_type", "lang", "fallback", "goal", "target", "item", "items", "value", "scroll")
    got = {tag: only_event(path=f"/en/props-{tag}/") for tag in sends}
    got = {tag: {c: getattr(row, c) for c in columns} for tag, row in got.items()}
    empty = dict.fromkeys(columns) | {"page_type": None, "lang": "", "fallback": False}
    expected = {
        "pageview": {"name": EventName.PAGEVIEW, "page": r1, "page_type": route_type, "lang": "ko", "fallback": True},
        "engagement": {"name": EventName.ENGAGEMENT, "page": r1, "value": 45000, "scroll": 80},
        "outbound": {"name": EventName.OUTBOUND, "page": r1, "target": "www.booking.com", "goal": "booking"},
        "search": {"name": EventName.SEARCH, "target": "snow onsen", "value": 0},
        "404": {"name": EventName.NOT_FOUND},
        "language": {"name": EventName.LANGUAGE_SWITCH, "target": "zh-hant"},
        "save": {"name": EventName.SAVE_ROUTE, "item": r2, "value": 1},
        "unsave": {"name": EventName.SAVE_ROUTE, "item": r2, "value": 0},
        "rec_impression": {
            "name": EventName.RECOMMENDATION_IMPRESSION,
            "target": "route-related",
            "items": f"{r1},{r2},{r3}",
        },  # fmt: skip
        "rec_click": {
            "name": EventName.RECOMMENDATION_CLICK,
            "target": "route-related",
            "item": r3,
            "value": 3,
        },  # fmt: skip
    }
    for tag, values in expected.items():
        assert got[tag] == empty | values, tag
