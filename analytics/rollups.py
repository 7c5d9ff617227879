"""Daily rollups: one day's raw events turned into additive rows of `DailyRollup`, rebuilt whole and idempotently.

A day is Asia/Tokyo's (no daylight saving, so a fixed +9 h window). Rebuilding a day deletes its rows and inserts
them again from the raw events in one transaction, holding that day's `RollupDay` row locked: run twice, or
killed halfway and run again, it leaves the same rows, and two workers never rebuild the same day at once.

The figures are computed in this process (sessions numbered by numpy, dimensions and funnels grouped by DuckDB,
a vectorised columnar engine) over the day's events, read once from the database with only the columns needed;
the database only stores. Sessionising and grouping a day of 110,000 events took PostgreSQL 15 about 1.1 s of CPU,
this 0.35-0.4 s, with one SQL for every database (bench/RESULTS.md, "rollups").

Metrics follow Plausible's definitions:
- a session is a visitor's run of events with no gap over 30 minutes (ids change daily, so within one day);
- a bounce is a session with at most one page view and no interaction (outbound click, save, recommendation click);
- duration is a session's last event time minus its first;
- scroll depth is the deepest scroll reported for a page by a visitor, averaged over visitors who reported one;
- visitors over several days are the sum of daily visitors.
"""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from .anonymous_ids import TOKYO, tokyo_day
from .funnels import parse_step
from .models import DailyRollup, Funnel, RawEvent, RollupDay, TouchedDay
from .schema import EventName

SESSION_GAP_SECONDS = 30 * 60
INTERACTIVE = (EventName.OUTBOUND, EventName.SAVE_ROUTE, EventName.RECOMMENDATION_CLICK)
PV, ENG = int(EventName.PAGEVIEW), int(EventName.ENGAGEMENT)
# DuckDB runs inside the Celery worker: bounded threads and memory (a day of 110,000 events takes about 15 MB).
DUCKDB_CONFIG = {"threads": 1, "memory_limit": "256MB", "preserve_insertion_order": False}

_METRICS = (
    "visitors", "sessions", "bounces", "duration_s", "pageviews", "entries", "events", "conversions",
    "engaged_ms", "scroll_sum", "scroll_count",
)  # fmt: skip
_COLUMNS = ("day", "site", "synthetic", "dimension", "key", "key2", *_METRICS)

# The raw event columns the rollups read, with their Arrow types (the CSV from PostgreSQL is parsed to these).
_EVENT_SCHEMA = pa.schema(
    [
        ("id", pa.int64()), ("ts", pa.int64()), ("site", pa.int32()), ("synthetic", pa.bool_()),
        ("visitor", pa.int64()), ("name", pa.int32()), ("page", pa.int64()), ("page_type", pa.int32()),
        ("path", pa.string()), ("lang", pa.string()), ("browser_lang", pa.string()), ("fallback", pa.bool_()),
        ("country", pa.string()), ("device", pa.int32()), ("browser", pa.string()), ("os", pa.string()),
        ("channel", pa.int32()), ("referrer", pa.string()), ("utm_source", pa.string()),
        ("utm_medium", pa.string()), ("utm_campaign", pa.string()), ("goal", pa.string()), ("target", pa.string()),
        ("item", pa.int64()), ("value", pa.int64()), ("scroll", pa.int32()),
    ]
)  # fmt: skip


# The columns event dimensions and funnels read (the others describe sessions, read from their first events).
_EVENT_COLUMNS = (
    "id", "ts", "site", "synthetic", "visitor", "name", "page", "page_type", "path", "lang", "fallback", "country",
    "goal", "target", "item", "value", "scroll", "starts", "session",
)  # fmt: skip


def day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=TOKYO)
    return start, start + dt.timedelta(days=1)


def _epoch_ms(column: str) -> str:
    """Milliseconds since 1970 as an integer, so both databases give exactly the same times.

    On PostgreSQL through date_part's double (exact to the microsecond for these dates): EXTRACT returns numeric
    since PostgreSQL 14, which costs more to compute and to print.
    """
    if connection.vendor == "postgresql":
        return f"CAST(ROUND(date_part('epoch', {column}) * 1000) AS bigint)"
    return f"CAST(ROUND((julianday({column}) - 2440587.5) * 86400000.0) AS integer)"


# (dimension, key expression, key2 expression, extra WHERE) over sessions: attributes of a session's first event.
SESSION_DIMENSIONS = (
    ("site", "''", "''", ""),
    ("channel", "CAST(channel AS varchar)", "''", ""),
    ("referrer", "referrer", "''", "referrer <> ''"),
    # key2 holds 100 characters: "source / medium" can be 203 and a goal's target host 253, which PostgreSQL
    # would refuse, failing the whole day's rebuild; they are cut (and grouped as cut) instead.
    ("campaign", "utm_campaign", "SUBSTR(COALESCE(utm_source, '') || ' / ' || COALESCE(utm_medium, ''), 1, 100)",
     "utm_campaign IS NOT NULL"),
    ("source", "utm_source", "COALESCE(utm_medium, '')", "utm_source IS NOT NULL"),
    ("country", "country", "''", ""),
    ("browser_lang", "browser_lang", "''", ""),
    ("lang", "lang", "''", ""),
    ("lang_fit", "browser_lang", "lang", ""),
    ("device", "CAST(device AS varchar)", "''", ""),
    ("browser", "browser", "''", ""),
    ("os", "os", "''", ""),
    ("entry_page", "CAST(page AS varchar)", "''", "page IS NOT NULL"),
)  # fmt: skip

# Keys that are an integer column as text: grouped by the integer (cheaper), turned into text once grouped.
_INTEGER_KEYS = {
    "CAST(channel AS varchar)": "channel", "CAST(device AS varchar)": "device", "CAST(page AS varchar)": "page",
    "CAST(item AS varchar)": "item",
}  # fmt: skip

# (dimension, event name, key expression, key2 expression, extra WHERE) over single events.
EVENT_DIMENSIONS = (
    ("goal", EventName.OUTBOUND, "goal", "SUBSTR(target, 1, 100)", ""),  # key2 holds 100 characters
    ("search", EventName.SEARCH, "LOWER(target)", "''", ""),
    ("search_no_result", EventName.SEARCH, "LOWER(target)", "''", "value = 0"),
    ("not_found", EventName.NOT_FOUND, "path", "''", ""),
    ("language_switch", EventName.LANGUAGE_SWITCH, "lang", "target", ""),
    ("save", EventName.SAVE_ROUTE, "CAST(item AS varchar)", "country", "value = 1"),
    ("rec_impression", EventName.RECOMMENDATION_IMPRESSION, "target", "country", ""),
    ("rec_click", EventName.RECOMMENDATION_CLICK, "target", "country", ""),
    ("rec_click_route", EventName.RECOMMENDATION_CLICK, "CAST(item AS varchar)", "country", ""),
    ("page_country", EventName.PAGEVIEW, "CAST(page AS varchar)", "country", "page IS NOT NULL"),
    ("page_lang", EventName.PAGEVIEW, "CAST(page AS varchar)", "lang", "page IS NOT NULL"),
    ("page_fallback", EventName.PAGEVIEW, "CAST(page AS varchar)", "lang", "page IS NOT NULL AND fallback"),
)


def _read_events(start: dt.datetime, end: dt.datetime) -> pa.Table:
    """The day's events as an Arrow table: on PostgreSQL through COPY as CSV (parsed by Arrow, no Python per
    row), elsewhere (SQLite) from a cursor. Paths are read only for 404s, the only events whose path counts."""
    columns = ", ".join(
        _epoch_ms("at") + " AS ts"
        if name == "ts"
        else f"CASE WHEN name = {int(EventName.NOT_FOUND)} THEN path END AS path"
        if name == "path"
        else name
        for name in _EVENT_SCHEMA.names
    )
    window = [connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end)]
    select = f"SELECT {columns} FROM {RawEvent._meta.db_table} WHERE at >= {{}} AND at < {{}}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The times are bound into the statement: Django's debug cursor (DEBUG, query capture) passes COPY no
            # parameters.
            statement = sql.SQL(f"COPY ({select}) TO STDOUT (FORMAT csv)").format(*map(sql.Literal, window))
            data = io.BytesIO()
            with cursor.copy(statement) as copy:
                for chunk in copy:
                    data.write(chunk)
            if not data.tell():
                return _EVENT_SCHEMA.empty_table()  # Arrow refuses an empty CSV
            data.seek(0)
            return pa_csv.read_csv(
                data,
                read_options=pa_csv.ReadOptions(column_names=_EVENT_SCHEMA.names),
                convert_options=pa_csv.ConvertOptions(
                    column_types=_EVENT_SCHEMA,
                    true_values=["t"],
                    false_values=["f"],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),  # fmt: skip
            )
        cursor.execute(select.format("%s", "%s"), window)
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) or [()] * len(_EVENT_SCHEMA)
    return pa.table(
        [pa.array(values).cast(field.type) for field, values in zip(_EVENT_SCHEMA, columns, strict=True)],
        schema=_EVENT_SCHEMA,
    )


def _sessionise(events: pa.Table) -> pa.Table:
    """The events with `starts` (1 on a session's first event) and `session` (a number unique within the day, so
    event dimensions count distinct sessions directly).

    One sort of the five key columns in numpy (visitor, site, synthetic, time, id); a SQL window sorts the whole
    rows along with their keys, about twenty times the work for a day of 110,000 events.
    """
    ids, ts, synthetic, site, visitor = (
        events.column(name).to_numpy(zero_copy_only=False) for name in ("id", "ts", "synthetic", "site", "visitor")
    )
    order = np.lexsort((ids, ts, synthetic, site, visitor))  # the last key sorts first
    visitor, site, synthetic, ts = visitor[order], site[order], synthetic[order], ts[order]
    continues = np.zeros(len(order), dtype=bool)
    continues[1:] = (
        (visitor[1:] == visitor[:-1])
        & (site[1:] == site[:-1])
        & (synthetic[1:] == synthetic[:-1])
        & (ts[1:] - ts[:-1] <= SESSION_GAP_SECONDS * 1000)
    )
    starts, session = np.empty(len(order), dtype=np.int64), np.empty(len(order), dtype=np.int64)
    starts[order] = ~continues
    session[order] = np.cumsum(~continues)
    return events.append_column("starts", pa.array(starts)).append_column("session", pa.array(session))


def _sessions(db: duckdb.DuckDBPyConnection) -> None:
    """sessions: one row per session, described by its first event."""
    interactive = ", ".join(str(int(name)) for name in INTERACTIVE)
    db.execute(
        f"""
        CREATE TABLE sessions AS
        SELECT f.site, f.synthetic, f.visitor, s.*, f.channel, f.referrer, f.utm_source, f.utm_medium,
               f.utm_campaign, f.country, f.browser_lang, f.lang, f.device, f.browser, f.os, f.page
        FROM (
            SELECT session, (MAX(ts) - MIN(ts) + 500) // 1000 AS duration,
                   COUNT(*) FILTER (name = {PV}) AS pageviews,
                   CASE WHEN COUNT(*) FILTER (name = {PV}) <= 1
                         AND COUNT(*) FILTER (name IN ({interactive})) = 0 THEN 1 ELSE 0 END AS bounce,
                   MAX(CASE WHEN name = {int(EventName.OUTBOUND)} AND goal <> 'outbound' THEN 1 ELSE 0 END)
                       AS converted,
                   SUM(CASE WHEN name = {ENG} THEN value ELSE 0 END) AS engaged_ms,
                   COUNT(*) AS events
            FROM events GROUP BY session
        ) s
        JOIN day_events f ON f.session = s.session AND f.starts = 1
        """
    )


def _session_dimensions(db: duckdb.DuckDBPyConnection) -> None:
    for dimension, key, key2, where in SESSION_DIMENSIONS:
        grouped = _INTEGER_KEYS.get(key, key)
        db.execute(
            f"""INSERT INTO rollup SELECT site, synthetic, ?, {key.replace(grouped, "k")}, k2, visitors, sessions,
                bounces, duration, pageviews, 0, events, converted, engaged_ms, 0, 0
                FROM (
                    SELECT site, synthetic, {grouped} AS k, {key2} AS k2, COUNT(DISTINCT visitor) AS visitors,
                           COUNT(*) AS sessions, SUM(bounce) AS bounces, SUM(duration) AS duration,
                           SUM(pageviews) AS pageviews, SUM(events) AS events, SUM(converted) AS converted,
                           SUM(engaged_ms) AS engaged_ms
                    FROM sessions {"WHERE " + where if where else ""} GROUP BY ALL
                )""",
            [dimension],
        )


def _page_dimension(db: duckdb.DuckDBPyConnection) -> None:
    """Pages (= translation groups) with page type, entries, engaged time and scroll depth."""
    db.execute(
        f"""INSERT INTO rollup
        SELECT v.site, v.synthetic, 'page', CAST(v.page AS varchar), COALESCE(CAST(v.page_type AS varchar), ''),
               v.visitors, 0, 0, 0, v.pageviews, v.entries, v.pageviews, 0,
               COALESCE(g.engaged_ms, 0), COALESCE(g.scroll_sum, 0), COALESCE(g.scroll_count, 0)
        FROM (
            SELECT site, synthetic, page, MAX(page_type) AS page_type, COUNT(DISTINCT visitor) AS visitors,
                   COUNT(*) AS pageviews, SUM(starts) AS entries
            FROM events WHERE name = {PV} AND page IS NOT NULL GROUP BY site, synthetic, page
        ) v
        LEFT JOIN (
            SELECT site, synthetic, page, SUM(engaged) AS engaged_ms, SUM(deepest) AS scroll_sum,
                   COUNT(*) AS scroll_count
            FROM (
                SELECT site, synthetic, page, SUM(value) AS engaged, MAX(scroll) AS deepest
                FROM events WHERE name = {ENG} AND page IS NOT NULL GROUP BY site, synthetic, page, visitor
            ) GROUP BY site, synthetic, page
        ) g ON g.site = v.site AND g.synthetic = v.synthetic AND g.page = v.page"""
    )


def _event_dimensions(db: duckdb.DuckDBPyConnection) -> None:
    for dimension, name, key, key2, where in EVENT_DIMENSIONS:
        grouped = _INTEGER_KEYS.get(key, key)
        db.execute(
            f"""INSERT INTO rollup SELECT site, synthetic, ?, {key.replace(grouped, "k")}, k2, visitors, sessions,
                0, 0, pageviews, 0, events, 0, 0, 0, 0
                FROM (
                    SELECT site, synthetic, {grouped} AS k, {key2} AS k2, COUNT(DISTINCT visitor) AS visitors,
                           COUNT(DISTINCT session) AS sessions, COUNT(*) FILTER (name = {PV}) AS pageviews,
                           COUNT(*) AS events
                    FROM events WHERE name = {int(name)} {"AND " + where if where else ""} GROUP BY ALL
                )""",
            [dimension],
        )


def _funnels(db: duckdb.DuckDBPyConnection) -> None:
    """Visitors reaching each step of each funnel, in order, within the day."""
    for funnel in Funnel.objects.all():
        db.execute("CREATE OR REPLACE TABLE reached AS SELECT NULL::int AS site, NULL::bool AS synthetic, "
                   "NULL::bigint AS visitor, NULL::bigint AS ts WHERE false")  # fmt: skip
        for index, step in enumerate(funnel.step_list(), start=1):
            try:
                event, qualifier = parse_step(step)
            except ValueError:
                break  # the admin form refuses bad steps; an old row just stops counting at the bad step
            condition, params = f"e.name = {int(event)}", []
            if qualifier and event is EventName.PAGEVIEW:
                app_label, _, model = qualifier.partition(".")
                type_id = ContentType.objects.filter(app_label=app_label, model=model).values_list("pk", flat=True)
                condition += " AND e.page_type = ?"
                params.append(type_id.first() or -1)
            elif qualifier:
                condition += " AND e.goal = ?"
                params.append(qualifier)
            join = (
                "JOIN reached r ON r.site = e.site AND r.synthetic = e.synthetic AND r.visitor = e.visitor "
                "AND e.ts >= r.ts"
                if index > 1
                else ""
            )
            db.execute(
                f"""CREATE OR REPLACE TABLE reached AS SELECT e.site, e.synthetic, e.visitor, MIN(e.ts) AS ts
                FROM events e {join} WHERE {condition} GROUP BY e.site, e.synthetic, e.visitor""",
                params,
            )
            db.execute(
                """INSERT INTO rollup SELECT site, synthetic, 'funnel', ?, ?, COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
                FROM reached GROUP BY site, synthetic""",
                [funnel.key, str(index)],
            )


def _rollup_rows(events: pa.Table) -> pa.Table:
    """Every rollup row of the day but consent answers (`day` left out), computed by DuckDB from the events."""
    with duckdb.connect(config=DUCKDB_CONFIG) as db:
        db.register("day_events", _sessionise(events))
        db.execute(
            "CREATE TABLE rollup (site INTEGER, synthetic BOOLEAN, dimension VARCHAR, key VARCHAR, key2 VARCHAR, "
            + ", ".join(f"{name} BIGINT" for name in _METRICS)
            + ")"
        )
        db.execute(f"CREATE TABLE events AS SELECT {', '.join(_EVENT_COLUMNS)} FROM day_events")
        _sessions(db)
        _session_dimensions(db)
        _page_dimension(db)
        _event_dimensions(db)
        _funnels(db)
        return db.sql("SELECT * FROM rollup").to_arrow_table()


def _write_rows(day: dt.date, rows: pa.Table) -> None:
    """Insert the rows: on PostgreSQL with COPY (CSV written by Arrow), elsewhere with executemany."""
    table = DailyRollup._meta.db_table
    rows = rows.add_column(0, "day", pa.array([day] * rows.num_rows, type=pa.date32()))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            data = io.BytesIO()
            pa_csv.write_csv(rows, data, pa_csv.WriteOptions(include_header=False))
            with cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(data.getbuffer())
            return
        placeholders = ", ".join(["%s"] * len(_COLUMNS))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES ({placeholders})",
            list(zip(*(rows.column(name).to_pylist() for name in _COLUMNS), strict=True)),
        )


def _consent_answers(day: dt.date) -> None:
    """Consent answers are rows of their own table (one per answer), grouped where they are."""
    from consent.models import ConsentAnswer

    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {DailyRollup._meta.db_table} ({", ".join(_COLUMNS)})
            SELECT %s, 0, synthetic, 'consent', country, answer, 0, 0, 0, 0, 0, 0, COUNT(*), 0, 0, 0, 0
            FROM {ConsentAnswer._meta.db_table} WHERE day = %s GROUP BY synthetic, country, answer""",
            [day, day],
        )


def _delete_day(day: dt.date) -> None:
    """Delete every rollup row of `day`.

    On PostgreSQL through the unique index (dimension, day, ...): its few dimensions are listed by hopping from
    one to the next in the index, then each (dimension, day) is looked up. `WHERE day = ...` alone would read
    the whole table, which grows by about 13,000 rows a day.
    """
    if connection.vendor != "postgresql":
        DailyRollup.objects.filter(day=day).delete()
        return
    table = DailyRollup._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE dimensions(name) AS (
                SELECT MIN(dimension) FROM {table}
                UNION ALL
                SELECT (SELECT MIN(dimension) FROM {table} WHERE dimension > d.name) FROM dimensions d
                WHERE d.name IS NOT NULL
            )
            DELETE FROM {table} WHERE day = %s AND dimension = ANY(ARRAY(SELECT name FROM dimensions))
            """,
            [day],
        )


def roll_up_day(day: dt.date) -> int:
    """Rebuild every rollup row of `day`; returns the number of raw events it read."""
    start, end = day_window(day)
    touched_before = timezone.now()
    with transaction.atomic():
        RollupDay.objects.get_or_create(day=day)
        marker = RollupDay.objects.select_for_update().get(day=day)  # other workers wait here for this day
        events = _read_events(start, end)
        rows = _rollup_rows(events)
        _delete_day(day)
        _write_rows(day, rows)
        _consent_answers(day)
        marker.rolled_up_at = timezone.now()
        marker.raw_events = events.num_rows
        marker.save()
        TouchedDay.objects.filter(day=day, touched_at__lte=touched_before).delete()
    return events.num_rows


def days_to_roll_up(today: dt.date | None = None, nightly: bool = False) -> list[dt.date]:
    """Today, the days late events touched, and (nightly) the two days before today."""
    today = today or tokyo_day()
    days = {today} | set(TouchedDay.objects.filter(day__lt=today).values_list("day", flat=True))
    if nightly:
        days |= {today - dt.timedelta(days=1), today - dt.timedelta(days=2)}
    return sorted(days)
