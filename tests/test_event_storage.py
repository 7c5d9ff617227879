"""Where accepted events end up: write_batch, the partitioned raw-event table on PostgreSQL, its size per event,
and the Redis buffer's exactly-once drain.

PostgreSQL tests skip on SQLite; Redis tests skip without REDIS_URL (CI runs the suite both ways).
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.db import connection
from django.utils import timezone

from analytics import buffer, storage
from analytics.anonymous_ids import TOKYO, tokyo_day
from analytics.intake import Visitor, event_values
from analytics.models import DrainedBatch, IntakeCount, ProfileEvent, RawEvent, TouchedDay
from analytics.schema import EventName, parse_event
from analytics.storage import COUNT, EVENT, EVENT_COLUMNS, PROFILE, to_millis
from consent.models import VisitorProfile
from routes.models import RoutePage, SpotPage
from tests.analytics_helpers import (
    ANDROID,
    CHROME,
    FIREFOX,
    IPAD,
    IPHONE,
    SAFARI,
    SITE_URL,
    event,
    intake_count,
    post_event,
    reset_analytics_state,
)

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only")
redis_only = pytest.mark.skipif(not buffer.uses_redis(), reason="the Redis buffer is used only with REDIS_URL")

TABLE = RawEvent._meta.db_table


@pytest.fixture(autouse=True)
def _fresh_salt_memo():
    reset_analytics_state()
    yield
    reset_analytics_state()


def month_start(at: dt.datetime, months_ahead: int = 0) -> dt.datetime:
    local = at.astimezone(TOKYO)
    return storage._month_start(local.year, local.month + months_ahead)


def event_record(at: dt.datetime, visitor: int = 1, path: str = "/en/", **values) -> list:
    row = dict.fromkeys(EVENT_COLUMNS)
    row.update(
        at=to_millis(at), site=1, name=int(EventName.PAGEVIEW), visitor=visitor, synthetic=False, path=path,
        lang="en", browser_lang="en", fallback=False, country="JP", device=1, browser="Chrome", os="Windows",
        channel=0, referrer="",
    )  # fmt: skip
    row.update(values)
    return [EVENT, [row[column] for column in EVENT_COLUMNS]]


# --- write_batch, on any database ----------------------------------------------------------------------------------


def test_write_batch_keeps_events_history_and_counts_together():
    now = timezone.now()
    profile = VisitorProfile.objects.create(token_hash="f" * 64, notice_version=1)
    yesterday_at = now - dt.timedelta(days=1)
    before = {
        "events": RawEvent.objects.count(),
        "history": ProfileEvent.objects.count(),
        "bots": intake_count(IntakeCount.Kind.BOT),
        "late": intake_count(IntakeCount.Kind.LATE, tokyo_day(yesterday_at)),
    }
    storage.write_batch(
        [
            event_record(now, visitor=-42, path="/en/batch-a/", target="onsen", value=3),
            event_record(yesterday_at, visitor=7, path="/en/batch-late/"),
            [PROFILE, ["f" * 64, to_millis(now), "view", 123, None]],
            [PROFILE, ["0" * 64, to_millis(now), "view", 123, None]],  # no such profile (withdrawn): dropped
            [COUNT, tokyo_day(now).isoformat(), IntakeCount.Kind.BOT.value, 2],
            [COUNT, tokyo_day(now).isoformat(), IntakeCount.Kind.BOT.value, 3],
        ]
    )
    stored = RawEvent.objects.get(path="/en/batch-a/")
    assert (stored.visitor, stored.target, stored.value, stored.country) == (-42, "onsen", 3, "JP")
    assert abs(stored.at - now) < dt.timedelta(milliseconds=1)
    assert RawEvent.objects.count() == before["events"] + 2
    assert list(ProfileEvent.objects.filter(profile=profile).values_list("kind", "page")) == [("view", 123)]
    assert ProfileEvent.objects.count() == before["history"] + 1
    assert intake_count(IntakeCount.Kind.BOT) == before["bots"] + 5
    assert intake_count(IntakeCount.Kind.LATE, tokyo_day(yesterday_at)) == before["late"] + 1
    assert TouchedDay.objects.filter(day__in=[tokyo_day(now), tokyo_day(yesterday_at)]).count() == 2


def test_write_batch_is_all_or_nothing():
    now = timezone.now()
    before = (RawEvent.objects.count(), ProfileEvent.objects.count(), IntakeCount.objects.count())
    with pytest.raises(ValueError):
        storage.write_batch(
            [
                event_record(now, path="/en/never/"),
                [COUNT, tokyo_day(now).isoformat(), IntakeCount.Kind.BOT.value, 1],
                [COUNT, "not-a-day", IntakeCount.Kind.BOT.value, 1],  # fails after the events were inserted
            ]
        )
    assert (RawEvent.objects.count(), ProfileEvent.objects.count(), IntakeCount.objects.count()) == before
    assert not RawEvent.objects.filter(path="/en/never/").exists()


# --- PostgreSQL: the partitioned table ------------------------------------------------------------------------------


def _columns(cursor, table: str) -> dict[str, tuple[str, bool]]:
    cursor.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull FROM pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        [table],
    )
    return {name: (kind, nullable) for name, kind, nullable in cursor.fetchall()}


def _partitions(cursor) -> dict[str, str]:
    cursor.execute(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
        [TABLE],
    )
    return dict(cursor.fetchall())


@postgres_only
def test_the_table_matches_the_model():
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = %s", [TABLE])
        in_database = {name: nullable == "YES" for name, nullable in cursor.fetchall()}
        in_model = {field.column: field.null for field in RawEvent._meta.concrete_fields}
        assert in_database == in_model
        # Types too: the migration's hand-written DDL must say what the fields say.
        types = _columns(cursor, TABLE)
        for field in RawEvent._meta.concrete_fields:
            expected = field.db_type(connection).replace("varchar(", "character varying(")
            assert types[field.column][0] == expected, field.column
        # Every partition has exactly the parent's columns.
        for partition in _partitions(cursor):
            assert _columns(cursor, partition) == types, partition


@postgres_only
def test_the_table_is_partitioned_by_month_in_tokyo():
    now = timezone.now()
    this_month, next_month = month_start(now), month_start(now, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.partstrat, a.attname FROM pg_partitioned_table p "
            "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
            "WHERE p.partrelid = %s::regclass",
            [TABLE],
        )
        assert cursor.fetchall() == [("r", "at")]  # range on "at"
        partitions = _partitions(cursor)
    assert partitions[f"{TABLE}_default"] == "DEFAULT"
    assert storage.partition_name(this_month) in partitions
    assert storage.partition_name(next_month) in partitions
    # Rows land by the month in Asia/Tokyo: the first millisecond of a month in its partition.
    storage.write_batch(
        [
            event_record(this_month, path="/en/p-this-first/"),
            event_record(next_month - dt.timedelta(milliseconds=1), path="/en/p-this-last/"),
            event_record(next_month, path="/en/p-next-first/"),
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT path, tableoid::regclass::text FROM {TABLE} WHERE path LIKE %s", ["/en/p-%"])
        placed = dict(cursor.fetchall())
    assert placed == {
        "/en/p-this-first/": storage.partition_name(this_month),
        "/en/p-this-last/": storage.partition_name(this_month),
        "/en/p-next-first/": storage.partition_name(next_month),
    }


@postgres_only
def test_a_late_partition_takes_over_its_rows_from_the_default_partition():
    future = month_start(timezone.now(), 7)  # far beyond the partitions made ahead
    after = month_start(future, 1)
    name = storage.partition_name(future)
    with connection.cursor() as cursor:
        assert name not in _partitions(cursor)
    rng = random.Random(7)
    inside = [future, after - dt.timedelta(milliseconds=1)]
    inside += [future + dt.timedelta(seconds=rng.randrange(int((after - future).total_seconds()))) for _ in range(40)]
    outside = [future - dt.timedelta(milliseconds=1), after]
    storage.write_batch([event_record(at, visitor=n, path=f"/en/late-{n}/") for n, at in enumerate(inside + outside)])

    def snapshot():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(EVENT_COLUMNS)}, id FROM {TABLE} ORDER BY id")
            return cursor.fetchall()

    def count(table, low=future, high=after):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE at >= %s AND at < %s", [low, high])
            return cursor.fetchone()[0]

    before = snapshot()
    assert count(f"{TABLE}_default") == len(inside)

    assert storage.ensure_partitions(around=future, months_ahead=0) == [name]

    assert snapshot() == before  # nothing lost, nothing changed, nothing doubled
    assert count(name) == len(inside)
    assert count(f"{TABLE}_default") == 0
    assert count(f"{TABLE}_default", future - dt.timedelta(days=1), after + dt.timedelta(days=1)) == len(outside)
    with connection.cursor() as cursor:
        assert _partitions(cursor)[name].startswith("FOR VALUES FROM")
    assert storage.ensure_partitions(around=future, months_ahead=0) == []  # idempotent
    storage.write_batch([event_record(future + dt.timedelta(days=3), path="/en/late-new/")])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE path = %s", ["/en/late-new/"])
        assert cursor.fetchone()[0] == name


def realistic_records(n: int, seed: int = 1) -> list[list]:
    """Events as intake makes them: a mix of names, pages, languages, devices, channels and visitors."""
    rng = random.Random(seed)
    routes = list(RoutePage.objects.live().values_list("pk", "url_path"))
    spots = list(SpotPage.objects.live().values_list("pk", "url_path"))
    pages = [(pk, url_path, "routes.routepage") for pk, url_path in routes]
    pages += [(pk, url_path, "routes.spotpage") for pk, url_path in spots]
    assert pages, "the demo content should have pages"
    languages = ["ja", "en", "zh-hant", "zh-hans", "ko", "th"]
    browsers = [
        (CHROME, "en-us", "US"), (SAFARI, "en-gb", "GB"), (FIREFOX, "de-de", "DE"), (IPHONE, "zh-tw", "TW"),
        (ANDROID, "ko-kr", "KR"), (IPAD, "th-th", "TH"), (IPHONE, "zh-hk", "HK"), (ANDROID, "ja-jp", "JP"),
    ]  # fmt: skip
    # Most events come from a visitor's second and later pages (internal referrer, stored empty) or direct visits.
    referrers = {f"{SITE_URL}/en/routes/": 45, "": 20, "https://www.google.com/": 15, "https://www.google.com.tw/": 5,
                 "https://m.facebook.com/": 5, "https://www.instagram.com/": 5, "https://chatgpt.com/": 5}  # fmt: skip
    now = timezone.now()
    since_midnight = (now - dt.datetime.combine(tokyo_day(now), dt.time(), tzinfo=TOKYO)).total_seconds()
    spread = max(1, int(min(since_midnight, 3 * 3600)))
    visitors = [
        Visitor(site=1, visitor=rng.getrandbits(63) - 2**62, host="testserver", user_agent=ua, browser_lang=bl,
                country=country)
        for ua, bl, country in (rng.choice(browsers) for _ in range(max(1, n // 6)))
    ]  # fmt: skip
    records = []
    for _ in range(n):
        page, url_path, page_type = rng.choice(pages)
        lang = rng.choice(languages)
        path = f"{SITE_URL}/{lang}/" + "/".join(url_path.strip("/").split("/")[1:]) + "/"
        if rng.random() < 0.05:
            path += "?utm_source=newsletter&utm_medium=email&utm_campaign=winter-2026"
        kind = rng.choices(
            ["pageview", "engagement", "outbound", "search", "save", "rec_impression", "rec_click"],
            weights=[45, 35, 5, 4, 3, 6, 2],
        )[0]
        fields = {
            "p": page,
            "t": page_type,
            "l": lang,
            "r": rng.choices(list(referrers), weights=list(referrers.values()))[0],
        }
        if kind == "engagement":
            fields["d"] = {"ms": rng.randrange(1000, 600_000), "scroll": rng.randrange(0, 101)}
        elif kind == "outbound":
            fields["d"] = {"href": rng.choice(["https://www.booking.com/hotel/jp/x.html", "https://www.jreast.co.jp/"])}
        elif kind == "search":
            fields = {"l": lang, "d": {"term": rng.choice(["onsen", "castle", "sake", "ramen"]), "results": 4}}
        elif kind == "save":
            fields["d"] = {"route": rng.choice(routes)[0], "saved": True}
        elif kind == "rec_impression":
            fields["d"] = {"routes": [r for r, _ in rng.sample(routes, min(3, len(routes)))], "placement": "related"}
        elif kind == "rec_click":
            fields["d"] = {"route": rng.choice(routes)[0], "placement": "related", "position": rng.randrange(1, 4)}
        parsed = parse_event(json.dumps(event(kind, u=path, **fields)).encode())
        at = now - dt.timedelta(seconds=rng.randrange(spread))
        values = event_values(parsed, rng.choice(visitors), at)
        records.append([EVENT, [values[column] for column in EVENT_COLUMNS]])
    return records


@postgres_only
def test_stored_size_per_event():
    records = realistic_records(20_000)

    def total_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size(%s::regclass) + coalesce(sum(pg_total_relation_size(inhrelid)), 0) "
                "FROM pg_inherits WHERE inhparent = %s::regclass",
                [TABLE, TABLE],
            )
            return cursor.fetchone()[0]

    rows_before, size_before = RawEvent.objects.count(), total_size()
    for start in range(0, len(records), buffer.BATCH):
        storage.write_batch(records[start : start + buffer.BATCH])
    rows = RawEvent.objects.count() - rows_before
    assert rows == 20_000
    # The growth of all partitions (heap, TOAST, indexes) over the rows added: earlier tests' rolled-back rows
    # still occupy pages until VACUUM, so the table's whole size would overstate it.
    per_event = (total_size() - size_before) / rows
    print(f"\nstored size: {per_event:.1f} bytes per event ({rows} realistic events)")
    assert per_event <= 160


# --- Redis: the drain is exactly-once --------------------------------------------------------------------------------


@pytest.fixture
def queued(client):
    """30 accepted events and one bot count, waiting in Redis."""
    for n in range(30):
        response = post_event(client, event(u=f"{SITE_URL}/en/drain-{n}/"), drain_after=False)
        assert response.status_code == 202
    post_event(client, event(), user_agent="curl/8.5.0", drain_after=False)
    assert buffer.pending_count() == 31
    return 31


@redis_only
def test_a_drain_that_dies_after_writing_does_not_write_twice(queued, monkeypatch):
    client = buffer.redis_client()
    assert buffer.redis_client() is client
    events, bots, batches = RawEvent.objects.count(), intake_count(IntakeCount.Kind.BOT), DrainedBatch.objects.count()
    real_delete = client.delete
    crashes = []

    def delete_crashing_once(*keys):
        if not crashes and any(str(key).startswith("visitaizu:analytics:batch:") for key in keys):
            crashes.append(keys)
            raise ConnectionError("simulated crash after the database write")
        return real_delete(*keys)

    monkeypatch.setattr(client, "delete", delete_crashing_once)
    with pytest.raises(ConnectionError):
        buffer.drain()
    assert crashes
    assert RawEvent.objects.count() == events + 30  # written ...
    assert DrainedBatch.objects.count() == batches + 1  # ... and noted
    assert buffer.pending_count() == queued  # the batch key is still there
    assert client.get(buffer.LOCK) is None  # the dead drain's lock is gone

    assert buffer.drain() == 0  # the rerun sees the DrainedBatch row and only deletes the key
    assert buffer.pending_count() == 0
    assert RawEvent.objects.count() == events + 30
    assert RawEvent.objects.filter(path__startswith="/en/drain-").count() == 30
    assert intake_count(IntakeCount.Kind.BOT) == bots + 1


@redis_only
def test_a_drain_that_dies_before_writing_leaves_everything_for_the_next(queued, monkeypatch):
    events, bots, batches = RawEvent.objects.count(), intake_count(IntakeCount.Kind.BOT), DrainedBatch.objects.count()
    real_write = buffer.write_batch
    crashes = []

    def write_crashing_once(records):
        if not crashes:
            crashes.append(len(records))
            raise ConnectionError("simulated database failure")
        return real_write(records)

    monkeypatch.setattr(buffer, "write_batch", write_crashing_once)
    with pytest.raises(ConnectionError):
        buffer.drain()
    assert crashes == [queued]
    assert RawEvent.objects.count() == events
    assert DrainedBatch.objects.count() == batches
    assert buffer.pending_count() == queued  # claimed, not lost

    assert buffer.drain() == queued
    assert buffer.pending_count() == 0
    assert RawEvent.objects.count() == events + 30
    assert sorted(RawEvent.objects.filter(path__startswith="/en/drain-").values_list("path", flat=True)) == sorted(
        f"/en/drain-{n}/" for n in range(30)
    )
    assert intake_count(IntakeCount.Kind.BOT) == bots + 1
    assert DrainedBatch.objects.count() == batches + 1
