"""Writing accepted events to the database, in batches, and the monthly partitions they go into.

Intake hands over *records*: plain JSON-able lists, so the same record can be written at once (the embedded
default) or wait in Redis and be written later by the drain task. One function writes any batch of them, in
one transaction, with COPY on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .anonymous_ids import TOKYO, tokyo_day
from .models import IntakeCount, ProfileEvent, RawEvent, TouchedDay

# Order of the values of an event record; "at" travels as epoch milliseconds.
EVENT_COLUMNS = (
    "at", "site", "name", "visitor", "synthetic", "page", "page_type", "path", "lang", "browser_lang",
    "fallback", "country", "device", "browser", "os", "channel", "referrer", "utm_source", "utm_medium",
    "utm_campaign", "goal", "target", "item", "items", "value", "scroll",
)  # fmt: skip
EVENT, PROFILE, COUNT = "e", "p", "c"
PROFILE_COLUMNS = ("token_hash", "at", "kind", "page", "value")


def to_millis(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def from_millis(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def write_batch(records: Iterable[list]) -> None:
    """Write event, profile-history and counter records in one transaction (all or nothing)."""
    events, history, counts = [], [], Counter()
    for record in records:
        kind = record[0]
        if kind == EVENT:
            events.append(record[1])
        elif kind == PROFILE:
            history.append(record[1])
        elif kind == COUNT:
            counts[(record[1], record[2])] += record[3]
    today = tokyo_day()
    days: Counter = Counter()
    late = Counter()
    for values in events:
        values[0] = from_millis(values[0])
        day = values[0].astimezone(TOKYO).date()
        days[day] += 1
        if day < today and not values[4]:  # synthetic traffic is back-dated on purpose: not late
            late[day] += 1
    for day, n in late.items():
        counts[(day.isoformat(), IntakeCount.Kind.LATE)] += n
    with transaction.atomic():
        if events:
            _insert_events(events)
        if history:
            _insert_history(history)
        for (day, kind), n in counts.items():
            _add_count(dt.date.fromisoformat(day) if isinstance(day, str) else day, kind, n)
        now = timezone.now()
        for day in days:
            TouchedDay.objects.update_or_create(day=day, defaults={"touched_at": now})


def _insert_events(rows: list[list]) -> None:
    if connection.vendor == "postgresql":
        table = RawEvent._meta.db_table
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        RawEvent.objects.bulk_create(
            [RawEvent(**dict(zip(EVENT_COLUMNS, row, strict=True))) for row in rows], batch_size=500
        )


def _insert_history(rows: list[list]) -> None:
    """History rows of consented visitors; rows of a profile deleted meanwhile (withdrawal) are dropped."""
    from consent.models import VisitorProfile

    hashes = {row[0] for row in rows}
    profiles = dict(VisitorProfile.objects.filter(token_hash__in=hashes).values_list("token_hash", "id"))
    ProfileEvent.objects.bulk_create(
        [
            ProfileEvent(profile_id=profiles[token], at=from_millis(at), kind=kind, page=page, value=value)
            for token, at, kind, page, value in rows
            if token in profiles
        ]
    )


def _add_count(day: dt.date, kind: str, n: int) -> None:
    updated = IntakeCount.objects.filter(day=day, kind=kind).update(count=F("count") + n)
    if not updated:
        IntakeCount.objects.create(day=day, kind=kind, count=n)


# --- Monthly partitions (PostgreSQL only) ---------------------------------------------------------------


def _month_start(year: int, month: int) -> dt.datetime:
    return dt.datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1, tzinfo=TOKYO)


def partition_name(month_start: dt.datetime) -> str:
    return f"{RawEvent._meta.db_table}_y{month_start.year}m{month_start.month:02d}"


def ensure_partitions(around: dt.datetime | None = None, months_ahead: int = 2) -> list[str]:
    """Create the partitions of this month (Asia/Tokyo) and the next ones; return the names created.

    Rows that had fallen into the default partition for that month move into the new one in the same
    transaction, so creating a partition late never fails and never loses an event.
    """
    if connection.vendor != "postgresql":
        return []
    local = (around or timezone.now()).astimezone(TOKYO)
    table = RawEvent._meta.db_table
    created = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE %s", [f"{table}_y%"])
        existing = {name for (name,) in cursor.fetchall()}
        for offset in range(months_ahead + 1):
            start = _month_start(local.year, local.month + offset)
            end = _month_start(start.year, start.month + 1)
            name = partition_name(start)
            if name in existing:
                continue
            with transaction.atomic():
                cursor.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS)")
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {table}_default WHERE at >= %s AND at < %s RETURNING *) "
                    f"INSERT INTO {name} SELECT * FROM moved",
                    [start, end],
                )
                cursor.execute(
                    f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end]
                )
            created.append(name)
    return created


def purge_raw_events(now: dt.datetime | None = None) -> int:
    """Drop raw events older than ANALYTICS_RETENTION_DAYS (whole monthly partitions where possible)."""
    from django.conf import settings

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    table = RawEvent._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
                [table],
            )
            for (name,) in cursor.fetchall():
                if not name.startswith(f"{table}_y"):
                    continue
                year, month = int(name[-7:-3]), int(name[-2:])
                if _month_start(year, month + 1) <= cutoff:
                    cursor.execute(f"DROP TABLE {name}")
    return RawEvent.objects.filter(at__lt=cutoff).delete()[0]
