"""DuckDB as the oracle of the daily rollups (issue 5).

A synthetic month goes through the real intake (`simulate_visitors`), a few hand-made events add the edge cases
the generator never produces (gaps of exactly 30 minutes, midnight in Tokyo, ties, recommendation clicks, a
second site, real next to synthetic), and `analytics.rollups.roll_up_day` rebuilds every day. The raw events and
consent answers are then exported to Parquet and DuckDB recomputes every row of `DailyRollup` from them with SQL
written here from the definitions (analytics/rollups.py's docstring and the DailyRollup fields), not from the
rollups' own SQL: every (day, site, synthetic, dimension, key, key2) must exist on both sides with identical
figures. DuckDB never reads the database itself (its PostgreSQL extension would have to be downloaded).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from analytics import rollups
from analytics.anonymous_ids import TOKYO, tokyo_day
from analytics.models import DailyRollup, Funnel, RawEvent
from analytics.storage import EVENT, EVENT_COLUMNS, to_millis, write_batch
from consent.models import ConsentAnswer
from demo.management.commands.simulate_visitors import Command as SimulateVisitors

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

UNTIL = dt.date(2026, 10, 31)  # fixed, like the seed: the same month every run
DAYS, PEOPLE, SEED = 30, 800, 5
EDGE_DAY = dt.date(2026, 10, 20)

METRICS = (
    "visitors", "sessions", "bounces", "duration_s", "pageviews", "entries", "events", "conversions",
    "engaged_ms", "scroll_sum", "scroll_count",
)  # fmt: skip
KEY = ("day", "site", "synthetic", "dimension", "key", "key2")

# --- The definitions, restated for the oracle -----------------------------------------------------------------
# Event numbers (analytics/schema.py) and the public names funnel steps use.
PAGEVIEW, ENGAGEMENT, OUTBOUND, SEARCH, NOT_FOUND, LANGUAGE, SAVE, REC_IMPRESSION, REC_CLICK = range(1, 10)
STEP_NAMES = {
    "pageview": PAGEVIEW, "engagement": ENGAGEMENT, "outbound": OUTBOUND, "search": SEARCH, "404": NOT_FOUND,
    "language": LANGUAGE, "save": SAVE, "rec_impression": REC_IMPRESSION, "rec_click": REC_CLICK,
}  # fmt: skip
INTERACTIVE = (OUTBOUND, SAVE, REC_CLICK)  # a session with one of these is never a bounce
SESSION_GAP_MS = 30 * 60 * 1000  # a gap longer than this starts a new session
TOKYO_OFFSET_MS = 9 * 60 * 60 * 1000  # Asia/Tokyo has no daylight saving: a day is a fixed window
DAY_MS = 24 * 60 * 60 * 1000

# Dimension → (key, key2, which sessions), over sessions described by their first event.
SESSION_DIMENSIONS = {
    "site": ("''", "''", "TRUE"),
    "channel": ("CAST(channel AS VARCHAR)", "''", "TRUE"),
    "referrer": ("referrer", "''", "referrer <> ''"),
    "campaign": ("utm_campaign", "COALESCE(utm_source, '') || ' / ' || COALESCE(utm_medium, '')",
                 "utm_campaign IS NOT NULL"),
    "source": ("utm_source", "COALESCE(utm_medium, '')", "utm_source IS NOT NULL"),
    "country": ("country", "''", "TRUE"),
    "browser_lang": ("browser_lang", "''", "TRUE"),
    "lang": ("lang", "''", "TRUE"),
    "lang_fit": ("browser_lang", "lang", "TRUE"),
    "device": ("CAST(device AS VARCHAR)", "''", "TRUE"),
    "browser": ("browser", "''", "TRUE"),
    "os": ("os", "''", "TRUE"),
    "entry_page": ("CAST(page AS VARCHAR)", "''", "page IS NOT NULL"),
}  # fmt: skip
# Dimension → (event, key, key2, which events), over single events.
EVENT_DIMENSIONS = {
    "goal": (OUTBOUND, "goal", "target", "TRUE"),
    "search": (SEARCH, "LOWER(target)", "''", "TRUE"),
    "search_no_result": (SEARCH, "LOWER(target)", "''", "value = 0"),
    "not_found": (NOT_FOUND, "path", "''", "TRUE"),
    "language_switch": (LANGUAGE, "lang", "target", "TRUE"),
    "save": (SAVE, "CAST(item AS VARCHAR)", "country", "value = 1"),
    "rec_impression": (REC_IMPRESSION, "target", "country", "TRUE"),
    "rec_click": (REC_CLICK, "target", "country", "TRUE"),
    "rec_click_route": (REC_CLICK, "CAST(item AS VARCHAR)", "country", "TRUE"),
    "page_country": (PAGEVIEW, "CAST(page AS VARCHAR)", "country", "page IS NOT NULL"),
    "page_lang": (PAGEVIEW, "CAST(page AS VARCHAR)", "lang", "page IS NOT NULL"),
    "page_fallback": (PAGEVIEW, "CAST(page AS VARCHAR)", "lang", "page IS NOT NULL AND fallback"),
}
ALL_DIMENSIONS = {*SESSION_DIMENSIONS, "page", *EVENT_DIMENSIONS, "funnel", "consent"}

EXTRA_FUNNELS = {
    "oracle-search": "pageview\nsearch\npageview:routes.routepage\nsave\noutbound:booking",
    "oracle-recommendation": "rec_impression\nrec_click\nsave",
    "oracle-language": "language\npageview\noutbound",
    "oracle-repeat": "pageview\npageview:routes.routepage",
    "oracle-map": "pageview:routes.spotpage\noutbound:map",
    # Rows saved before the admin form checked steps: counting stops at the first bad step.
    "oracle-broken": "pageview:routes.routepage\nsave\nnot-a-step\noutbound",
    "oracle-unknown-type": "pageview:nosuch.page\nsave",
}


# --- Data ------------------------------------------------------------------------------------------------------


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0, ms: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, ms * 1000, tzinfo=TOKYO)


def row(when: dt.datetime, visitor: int, name: int, page: int | None = None, *, site: int = 2,
        synthetic: bool = False, **values) -> list:  # fmt: skip
    fields = dict.fromkeys(EVENT_COLUMNS)
    fields.update(
        at=to_millis(when), site=site, name=name, visitor=visitor, synthetic=synthetic, page=page, path="/en/edge/",
        lang="en", browser_lang="en-gb", fallback=False, country="GB", device=1, browser="Firefox", os="Linux",
        channel=0, referrer="",
    )  # fmt: skip
    fields.update(values)
    return [EVENT, [fields[column] for column in EVENT_COLUMNS]]


def edge_events(route_type: int) -> list[list]:
    """What the generator never makes: exact boundaries, ties, recommendations, another site, real events."""
    d, nxt = EDGE_DAY, EDGE_DAY + dt.timedelta(days=1)
    t0 = at(d, 10)
    gap = dt.timedelta(minutes=30)
    ms = dt.timedelta(milliseconds=1)
    t1 = t0 + gap  # exactly 30 minutes later: the same session
    t2 = t1 + gap + ms  # 30 minutes and 1 ms: a new session
    t3 = t2 + gap + dt.timedelta(seconds=30)  # 30.5 minutes: a new one, opened by an engagement beacon
    route = {"page_type": route_type}
    long_host = ".".join(["x" * 60] * 2) + "."  # 122 characters, then the part that differs
    return [
        row(t0, 101, PAGEVIEW, 501, channel=1, referrer="www.google.co.uk", **route),
        row(t1, 101, PAGEVIEW, 502, fallback=True, lang="ja"),
        row(t2, 101, PAGEVIEW, 501, **route),
        row(t3, 101, ENGAGEMENT, 501, value=5_000, scroll=40),
        row(t3 + dt.timedelta(milliseconds=1_499), 101, ENGAGEMENT, 501, value=1_000, scroll=70),  # 1.499 s → 1
        # The same visitor number elsewhere: another site, synthetic, and site 1's real traffic.
        row(t0, 101, PAGEVIEW, 501, site=2, synthetic=True, **route),
        row(t0, 101, PAGEVIEW, 501, site=1, **route),
        # Midnight in Tokyo: the last millisecond of one day and the first of the next, plus a tie.
        row(at(d, 23, 59, 59, 999), 102, PAGEVIEW, 503),
        row(at(nxt, 0), 102, PAGEVIEW, 503),
        row(at(nxt, 0), 102, SEARCH, None, target="Onsen Ryokan", value=0, path="/en/search/"),
        row(at(nxt, 0), 102, SEARCH, None, target="onsen ryokan", value=3, path="/en/search/"),
        # One page view, then recommendations: the click is the only interaction, and it makes no bounce.
        row(at(d, 12), 103, PAGEVIEW, 504, country="TW", lang="zh-hant", browser_lang="zh-tw", **route),
        row(at(d, 12, 0, 1), 103, REC_IMPRESSION, 504, target="related", items="505,506", country="TW"),
        row(at(d, 12, 0, 9), 103, REC_CLICK, 504, target="related", item=505, value=1, country="TW"),
        # Later that day (a new session): the recommended route, saved; then one page view and an unsave.
        row(at(d, 18), 103, PAGEVIEW, 505, country="TW", **route),
        row(at(d, 18, 0, 20), 103, SAVE, 505, item=505, value=1, country="TW"),
        row(at(d, 19), 103, PAGEVIEW, 505, country="TW", **route),
        row(at(d, 19, 0, 20), 103, SAVE, 505, item=505, value=0, country="TW"),
        # No page view at all: a language switch and a 404 (a bounce; no entry page).
        row(at(d, 13), 104, LANGUAGE, None, target="ko", path="/en/"),
        row(at(d, 13, 0, 5), 104, NOT_FOUND, None, path="/ko/nowhere/", lang="ko"),
        # Two page views, save and unsave, a plain outbound click and a map goal; duration 1.5 s → 2 s.
        row(at(d, 14), 105, PAGEVIEW, 506, utm_campaign="spring", utm_medium="cpc", channel=5, **route),
        row(at(d, 14, 0, 0, 500), 105, SAVE, 506, item=506, value=1),
        row(at(d, 14, 0, 0, 700), 105, SAVE, 506, item=506, value=0),
        row(at(d, 14, 0, 0, 900), 105, OUTBOUND, 506, goal="outbound", target="example.org"),
        row(at(d, 14, 0, 1, 0), 105, PAGEVIEW, 507),
        row(at(d, 14, 0, 1, 500), 105, OUTBOUND, 507, goal="map", target="maps.google.com"),
        # A source without a campaign; a booking click before the route view (funnel order); save at the same ms.
        row(at(d, 15), 106, OUTBOUND, 508, goal="booking", target="www.jalan.net", utm_source="partner"),
        row(at(d, 15, 1), 106, PAGEVIEW, 506, **route),
        row(at(d, 15, 1), 106, SAVE, 506, item=506, value=1),
        # Engaged time on a page nobody viewed that day.
        row(at(d, 16), 107, ENGAGEMENT, 509, value=7_000, scroll=90),
        # Keys longer than their columns (key2 holds 100 characters): two hosts alike in their first 100 characters,
        # and UTM tags of 100 characters each (intake cuts them there).
        row(at(d, 17), 108, PAGEVIEW, 501, utm_campaign="long", utm_source="s" * 100, utm_medium="m" * 100, channel=3),
        row(at(d, 17, 0, 1), 108, OUTBOUND, 501, goal="outbound", target=long_host + "a.example.com"),
        row(at(d, 17, 0, 2), 108, OUTBOUND, 501, goal="outbound", target=long_host + "b.example.com"),
    ]


def make_month() -> list[dt.date]:
    """The synthetic month, the edge events and extra funnels; every Tokyo day rolled up. Returns the days."""
    command = SimulateVisitors()  # it drains the Redis buffer itself when there is one
    call_command(
        command, "--clear", "--days", str(DAYS), "--visitors", str(PEOPLE), "--seed", str(SEED),
        "--until", UNTIL.isoformat(), verbosity=0,
    )  # fmt: skip
    assert command.result.events > 5_000 and command.result.refused == 0
    assert RawEvent.objects.filter(synthetic=True).count() == command.result.events
    route_type = ContentType.objects.get(app_label="routes", model="routepage").pk
    write_batch(edge_events(route_type))
    for key, steps in EXTRA_FUNNELS.items():
        Funnel.objects.update_or_create(key=key, defaults={"name": key, "steps": steps})
    first = UNTIL - dt.timedelta(days=DAYS - 1)
    days = {first + dt.timedelta(days=n) for n in range(DAYS)}
    days |= {tokyo_day(when) for when in RawEvent.objects.values_list("at", flat=True).distinct()}
    days |= set(ConsentAnswer.objects.values_list("day", flat=True).distinct())
    for day in sorted(days):
        rollups.roll_up_day(day)
    return sorted(days)


# --- Export to Parquet ----------------------------------------------------------------------------------------

ARROW_TYPES = {
    "AutoField": pa.int64(), "BigAutoField": pa.int64(), "BigIntegerField": pa.int64(), "IntegerField": pa.int64(),
    "SmallIntegerField": pa.int64(), "PositiveSmallIntegerField": pa.int64(), "PositiveIntegerField": pa.int64(),
    "BooleanField": pa.bool_(), "CharField": pa.string(), "SlugField": pa.string(), "TextField": pa.string(),
    "DateField": pa.date32(), "DateTimeField": pa.timestamp("us", tz="UTC"),
}  # fmt: skip


def export(model, path: Path) -> int:
    """Every column of the table (id, times as UTC timestamps) into one Parquet file."""
    fields = [field for field in model._meta.concrete_fields]
    schema = pa.schema([(field.column, ARROW_TYPES[field.get_internal_type()]) for field in fields])
    values = list(model.objects.order_by("pk").values_list(*(field.attname for field in fields)))
    columns = list(zip(*values, strict=True)) if values else [()] * len(fields)
    table = pa.table([pa.array(column, type=schema.field(i).type) for i, column in enumerate(columns)], schema=schema)
    pq.write_table(table, path)
    return len(values)


# --- The oracle -----------------------------------------------------------------------------------------------

ROW = "day, site, synthetic, dimension, key, key2, " + ", ".join(METRICS)


def cut(key: str, key2: str) -> str:
    """Keys are kept to the width of DailyRollup's columns (and rows whose cut keys agree are one row)."""
    width = DailyRollup._meta.get_field("key").max_length
    width2 = DailyRollup._meta.get_field("key2").max_length
    return f"LEFT({key}, {width}), LEFT({key2}, {width2})"


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def oracle(con: duckdb.DuckDBPyConnection, raw: Path, answers: Path, days: list[dt.date], funnels, types) -> list:
    con.execute(
        f"""CREATE TABLE ev AS
        SELECT * EXCLUDE ("at"), "at" AS at_utc, epoch_ms("at") AS ms,
               DATE '1970-01-01' + CAST((epoch_ms("at") + {TOKYO_OFFSET_MS}) // {DAY_MS} AS INTEGER) AS day
        FROM read_parquet({_quote(raw)})"""
    )
    con.execute("CREATE TABLE rolled (day DATE)")
    con.executemany("INSERT INTO rolled VALUES (?)", [(day,) for day in days])
    # Nothing outside the rolled-up days, so both sides describe the same events.
    assert con.execute("SELECT COUNT(*) FROM ev WHERE day NOT IN (SELECT day FROM rolled)").fetchone()[0] == 0
    # A session opens at a visitor's first event of the day and after every gap over 30 minutes; each event
    # belongs to the session of the latest opener at or before it, in (at, id) order. Sessions are named by the
    # id of their first event.
    con.execute(
        f"""CREATE TABLE sev AS
        SELECT * EXCLUDE (opener), opener IS NOT NULL AS opens,
               LAST_VALUE(opener IGNORE NULLS) OVER (
                   PARTITION BY day, site, synthetic, visitor ORDER BY at_utc, id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sid
        FROM (
            SELECT *, CASE WHEN ms - LAG(ms) OVER (PARTITION BY day, site, synthetic, visitor ORDER BY at_utc, id)
                                <= {SESSION_GAP_MS} THEN NULL ELSE id END AS opener
            FROM ev
        )"""
    )
    interactive = ", ".join(map(str, INTERACTIVE))
    con.execute(
        f"""CREATE TABLE sessions AS
        SELECT s.*, f.channel, f.referrer, f.utm_source, f.utm_medium, f.utm_campaign, f.country, f.browser_lang,
               f.lang, f.device, f.browser, f.os, f.page
        FROM (
            SELECT day, site, synthetic, visitor, sid, COUNT(*) AS n_events,
                   COUNT(*) FILTER (WHERE name = {PAGEVIEW}) AS n_pageviews,
                   COUNT(*) FILTER (WHERE name IN ({interactive})) AS n_interactions,
                   (MAX(ms) - MIN(ms) + 500) // 1000 AS duration,
                   COALESCE(BOOL_OR(name = {OUTBOUND} AND goal <> 'outbound'), FALSE) AS converted,
                   COALESCE(SUM(value) FILTER (WHERE name = {ENGAGEMENT}), 0) AS engaged
            FROM sev GROUP BY day, site, synthetic, visitor, sid
        ) s JOIN ev f ON f.id = s.sid"""
    )
    parts = []
    for dimension, (key, key2, where) in SESSION_DIMENSIONS.items():
        parts.append(
            f"""SELECT day, site, synthetic, '{dimension}', {cut(key, key2)}, COUNT(DISTINCT visitor), COUNT(*),
                   COUNT(*) FILTER (WHERE n_pageviews <= 1 AND n_interactions = 0), SUM(duration),
                   SUM(n_pageviews), 0, SUM(n_events), COUNT(*) FILTER (WHERE converted), SUM(engaged), 0, 0
            FROM sessions WHERE {where} GROUP BY ALL"""
        )
    # Pages viewed that day; engaged time and each visitor's deepest scroll from the page's engagement beacons.
    parts.append(
        f"""SELECT v.day, v.site, v.synthetic, 'page', CAST(v.page AS VARCHAR), COALESCE(CAST(v.page_type AS VARCHAR), ''),
               v.visitors, 0, 0, 0, v.pageviews, v.entries, v.pageviews, 0,
               COALESCE(g.engaged, 0), COALESCE(g.scroll_sum, 0), COALESCE(g.scroll_count, 0)
        FROM (
            SELECT day, site, synthetic, page, MAX(page_type) AS page_type, COUNT(DISTINCT visitor) AS visitors,
                   COUNT(*) AS pageviews, COUNT(*) FILTER (WHERE opens) AS entries
            FROM sev WHERE name = {PAGEVIEW} AND page IS NOT NULL GROUP BY day, site, synthetic, page
        ) v LEFT JOIN (
            SELECT day, site, synthetic, page, SUM(engaged) AS engaged, SUM(deepest) AS scroll_sum,
                   COUNT(deepest) AS scroll_count
            FROM (
                SELECT day, site, synthetic, page, visitor, SUM(value) AS engaged, MAX(scroll) AS deepest
                FROM ev WHERE name = {ENGAGEMENT} AND page IS NOT NULL GROUP BY day, site, synthetic, page, visitor
            ) GROUP BY day, site, synthetic, page
        ) g ON g.day = v.day AND g.site = v.site AND g.synthetic = v.synthetic AND g.page = v.page"""  # noqa: E501
    )
    for dimension, (name, key, key2, where) in EVENT_DIMENSIONS.items():
        parts.append(
            f"""SELECT day, site, synthetic, '{dimension}', {cut(key, key2)}, COUNT(DISTINCT visitor),
                   COUNT(DISTINCT sid), 0, 0, COUNT(*) FILTER (WHERE name = {PAGEVIEW}), 0, COUNT(*), 0, 0, 0, 0
            FROM sev WHERE name = {name} AND {where} GROUP BY ALL"""
        )
    parts.extend(_funnel_steps(con, funnels, types))
    parts.append(
        f"""SELECT day, 0, synthetic, 'consent', country, answer, 0, 0, 0, 0, 0, 0, COUNT(*), 0, 0, 0, 0
        FROM read_parquet({_quote(answers)}) GROUP BY ALL"""
    )
    columns = ", ".join(f"{metric} HUGEINT" for metric in METRICS)
    con.execute(
        f"CREATE TABLE expected (day DATE, site INTEGER, synthetic BOOLEAN, dimension VARCHAR, key VARCHAR, "
        f"key2 VARCHAR, {columns})"
    )
    for part in parts:
        con.execute(f"INSERT INTO expected {part}")
    return con.execute(f"SELECT {ROW} FROM expected WHERE day IN (SELECT day FROM rolled)").fetchall()


def _funnel_steps(con, funnels: list[tuple[str, list[str]]], types: dict[str, int]) -> list[str]:
    """Each funnel step: visitors who did it, at or after the earliest time they did the step before, that day."""
    parts = []
    for number, (key, steps) in enumerate(funnels):
        previous = None
        for index, step in enumerate(steps, start=1):
            name, _, qualifier = step.partition(":")
            if name not in STEP_NAMES:
                break
            event = STEP_NAMES[name]
            condition = f"e.name = {event}"
            if qualifier:
                if event not in (PAGEVIEW, OUTBOUND) or not re.fullmatch(r"[a-z0-9_.-]{1,60}", qualifier):
                    break
                if event == PAGEVIEW:
                    condition += f" AND e.page_type = {types.get(qualifier, -1)}"
                else:
                    condition += f" AND e.goal = '{qualifier}'"
            table = f"funnel_{number}_{index}"
            join = ""
            if previous:
                join = (
                    f"JOIN {previous} p ON p.day = e.day AND p.site = e.site AND p.synthetic = e.synthetic "
                    f"AND p.visitor = e.visitor AND e.ms >= p.reached"
                )
            con.execute(
                f"""CREATE TABLE {table} AS SELECT e.day, e.site, e.synthetic, e.visitor, MIN(e.ms) AS reached
                FROM ev e {join} WHERE {condition} GROUP BY e.day, e.site, e.synthetic, e.visitor"""
            )
            parts.append(
                f"""SELECT day, site, synthetic, 'funnel', '{key}', '{index}', COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
                FROM {table} GROUP BY day, site, synthetic"""
            )
            previous = table
    return parts


# --- The comparison -------------------------------------------------------------------------------------------


def describe(key: tuple, expected: tuple | None, actual: tuple | None) -> str:
    label = " ".join(repr(part) for part in key)
    if actual is None:
        return f"missing from the rollups: {label} (oracle {dict(zip(METRICS, expected, strict=True))})"
    if expected is None:
        return f"not in the oracle: {label} (rollups {dict(zip(METRICS, actual, strict=True))})"
    diffs = ", ".join(
        f"{metric} {a} ≠ {e}" for metric, e, a in zip(METRICS, expected, actual, strict=True) if int(a) != int(e)
    )
    return f"differs: {label}: {diffs} (rollups ≠ oracle)"


def test_every_rollup_figure_equals_duckdb_over_the_raw_events(tmp_path):
    started = time.monotonic()
    days = make_month()
    raw, answers = tmp_path / "rawevent.parquet", tmp_path / "consentanswer.parquet"
    n_events = export(RawEvent, raw)
    export(ConsentAnswer, answers)
    funnels = [(funnel.key, funnel.step_list()) for funnel in Funnel.objects.order_by("key")]
    types = {f"{ct.app_label}.{ct.model}": ct.pk for ct in ContentType.objects.all()}

    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        expected_rows = oracle(con, raw, answers, days, funnels, types)
    finally:
        con.close()

    expected = {tuple(r[:6]): tuple(r[6:]) for r in expected_rows}
    assert len(expected) == len(expected_rows), "the oracle made two rows with the same key"
    actual = {
        tuple(r[:6]): tuple(r[6:])
        for r in DailyRollup.objects.values_list(*KEY, *METRICS).order_by(*KEY).iterator(chunk_size=5_000)
    }
    # The oracle covers every dimension, and the data reaches every one of them (a vacuous pass is no pass).
    assert {key[3] for key in actual} <= ALL_DIMENSIONS, "a new rollup dimension: teach the oracle about it"
    assert {key[3] for key in expected} == ALL_DIMENSIONS
    assert len(expected) > 5_000 and n_events > 5_000

    problems = []
    for key in sorted(expected.keys() | actual.keys(), key=lambda k: tuple(str(part) for part in k)):
        e, a = expected.get(key), actual.get(key)
        if e is None or a is None or tuple(map(int, e)) != tuple(map(int, a)):
            problems.append(describe(key, e, a))
    if problems:
        shown = "\n".join(problems[:20])
        pytest.fail(
            f"{len(problems)} of {len(expected.keys() | actual.keys())} rollup rows disagree with DuckDB "
            f"(first 20):\n{shown}"
        )
    print(  # shown with -s: the size of what was checked
        f"{n_events} raw events, {len(days)} days, {len(actual)} rollup rows equal to DuckDB's "
        f"in {time.monotonic() - started:.1f} s"
    )
