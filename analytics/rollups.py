"""Daily rollups: one day's raw events turned into additive rows of `DailyRollup`, rebuilt whole and idempotently.

A day is Asia/Tokyo's (no daylight saving, so a fixed +9 h window). Rebuilding a day deletes its rows and inserts
them again from the raw events in one transaction, holding that day's `RollupDay` row locked: run twice, or
killed halfway and run again, it leaves the same rows, and two workers never rebuild the same day at once.

Metrics follow Plausible's definitions:
- a session is a visitor's run of events with no gap over 30 minutes (ids change daily, so within one day);
- a bounce is a session with at most one page view and no interaction (outbound click, save, recommendation click);
- duration is a session's last event time minus its first;
- scroll depth is the deepest scroll reported for a page by a visitor, averaged over visitors who reported one;
- visitors over several days are the sum of daily visitors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .anonymous_ids import TOKYO, tokyo_day
from .funnels import parse_step
from .models import DailyRollup, Funnel, RawEvent, RollupDay, TouchedDay
from .schema import EventName

SESSION_GAP_SECONDS = 30 * 60
INTERACTIVE = (EventName.OUTBOUND, EventName.SAVE_ROUTE, EventName.RECOMMENDATION_CLICK)
PV, ENG = int(EventName.PAGEVIEW), int(EventName.ENGAGEMENT)
# PostgreSQL memory for the rollup's transaction: a day of 110,000 events sorts in about 20 MB and its temporary
# tables take about 22 MB; with the defaults (4 MB, 8 MB) sorts spill to disk and every pass re-reads the files.
WORK_MEM, TEMP_BUFFERS = "64MB", "64MB"

_METRICS = (
    "visitors", "sessions", "bounces", "duration_s", "pageviews", "entries", "events", "conversions",
    "engaged_ms", "scroll_sum", "scroll_count",
)  # fmt: skip
_COLUMNS = ("day", "site", "synthetic", "dimension", "key", "key2", *_METRICS)


def day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=TOKYO)
    return start, start + dt.timedelta(days=1)


def _epoch_ms(column: str) -> str:
    """Milliseconds since 1970 as an integer, so both databases compare and subtract times exactly alike.

    On PostgreSQL through date_part's double (exact to the microsecond for these dates): EXTRACT returns numeric
    since PostgreSQL 14, and numeric arithmetic on every event cost a fifth of the day's sessionising pass.
    """
    if connection.vendor == "postgresql":
        return f"CAST(ROUND(date_part('epoch', {column}) * 1000) AS bigint)"
    return f"CAST(ROUND((julianday({column}) - 2440587.5) * 86400000.0) AS integer)"


# (dimension, key expression, key2 expression, extra WHERE) over sessions: attributes of a session's first event.
SESSION_DIMENSIONS = (
    ("site", "''", "''", ""),
    ("channel", "CAST(channel AS varchar(8))", "''", ""),
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
    ("device", "CAST(device AS varchar(8))", "''", ""),
    ("browser", "browser", "''", ""),
    ("os", "os", "''", ""),
    ("entry_page", "CAST(page AS varchar(12))", "''", "page IS NOT NULL"),
)  # fmt: skip

# Keys that are an integer column as text: grouped by the integer (cheaper), turned into text once grouped.
_INTEGER_KEYS = {
    "CAST(channel AS varchar(8))": "channel", "CAST(device AS varchar(8))": "device",
    "CAST(page AS varchar(12))": "page", "CAST(item AS varchar(12))": "item",
}  # fmt: skip

# (dimension, event name, key expression, key2 expression, extra WHERE) over single events.
EVENT_DIMENSIONS = (
    ("goal", EventName.OUTBOUND, "goal", "SUBSTR(target, 1, 100)", ""),  # key2 holds 100 characters
    ("search", EventName.SEARCH, "LOWER(target)", "''", ""),
    ("search_no_result", EventName.SEARCH, "LOWER(target)", "''", "value = 0"),
    ("not_found", EventName.NOT_FOUND, "path", "''", ""),
    ("language_switch", EventName.LANGUAGE_SWITCH, "lang", "target", ""),
    ("save", EventName.SAVE_ROUTE, "CAST(item AS varchar(12))", "country", "value = 1"),
    ("rec_impression", EventName.RECOMMENDATION_IMPRESSION, "target", "country", ""),
    ("rec_click", EventName.RECOMMENDATION_CLICK, "target", "country", ""),
    ("rec_click_route", EventName.RECOMMENDATION_CLICK, "CAST(item AS varchar(12))", "country", ""),
    ("page_country", EventName.PAGEVIEW, "CAST(page AS varchar(12))", "country", "page IS NOT NULL"),
    ("page_lang", EventName.PAGEVIEW, "CAST(page AS varchar(12))", "lang", "page IS NOT NULL"),
    ("page_fallback", EventName.PAGEVIEW, "CAST(page AS varchar(12))", "lang", "page IS NOT NULL AND fallback"),
)


def _group_by(*keys: str) -> str:
    """PostgreSQL refuses constants in GROUP BY, so the '' placeholders are left out. The keys come first:
    PostgreSQL 15 sorts groups in the order written, and most comparisons then end at the first column."""
    return ", ".join([*(key for key in keys if not key.startswith("'")), "site", "synthetic"])


def _insert(sql: str, params: Iterable = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


def _into(select_columns: str) -> str:
    return f"INSERT INTO {DailyRollup._meta.db_table} ({', '.join(_COLUMNS)}) SELECT {select_columns}"


def _build_temp_tables(start: dt.datetime, end: dt.datetime) -> None:
    """rollup_events: the day's events with `starts` (1 on a session's first event) and `session` (a number
    unique within the day: sessions are counted as distinct numbers, one sorted pass, not grouped per visitor);
    rollup_sessions: one row per session, described by its first event.

    Both window functions order alike, so PostgreSQL sorts the day once (visitor first: most comparisons end
    there). The running count of session starts over the whole sorted day numbers each session once. Sessions
    are grouped by that number alone and described by their one row with `starts = 1` (cheaper than picking
    twelve first-event columns out of every event while grouping).
    """
    raw = RawEvent._meta.db_table
    epoch = _epoch_ms("at")
    _insert("DROP TABLE IF EXISTS rollup_events")
    _insert("DROP TABLE IF EXISTS rollup_sessions")
    _insert("DROP TABLE IF EXISTS rollup_actions")
    _insert(
        f"""
        CREATE TEMP TABLE rollup_events AS
        SELECT o.*, SUM(o.starts) OVER (
            ORDER BY o.visitor, o.site, o.synthetic, o.at, o.id ROWS UNBOUNDED PRECEDING) AS session
        FROM (
            SELECT r.*,
                   CASE WHEN r.ts - LAG(r.ts) OVER w <= {SESSION_GAP_SECONDS * 1000} THEN 0 ELSE 1 END AS starts
            FROM (
                SELECT id, at, site, synthetic, visitor, name, page, page_type, path, lang, browser_lang, fallback,
                       country, device, browser, os, channel, referrer, utm_source, utm_medium, utm_campaign,
                       goal, target, item, value, scroll, {epoch} AS ts
                FROM {raw} WHERE at >= %s AND at < %s
            ) r
            WINDOW w AS (PARTITION BY r.visitor, r.site, r.synthetic ORDER BY r.at, r.id)
        ) o
        """,
        [connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end)],
    )
    interactive = ", ".join(str(int(name)) for name in INTERACTIVE)
    _insert(
        f"""
        CREATE TEMP TABLE rollup_sessions AS
        SELECT f.site, f.synthetic, f.visitor, f.session, s.duration, s.pageviews, s.bounce, s.converted,
               s.engaged_ms, s.events, f.channel, f.referrer, f.utm_source, f.utm_medium, f.utm_campaign, f.country,
               f.browser_lang, f.lang, f.device, f.browser, f.os, f.page
        FROM (
            SELECT session, (MAX(ts) - MIN(ts) + 500) / 1000 AS duration,
                   SUM(CASE WHEN name = {PV} THEN 1 ELSE 0 END) AS pageviews,
                   CASE WHEN SUM(CASE WHEN name = {PV} THEN 1 ELSE 0 END) <= 1
                         AND SUM(CASE WHEN name IN ({interactive}) THEN 1 ELSE 0 END) = 0 THEN 1 ELSE 0 END
                       AS bounce,
                   MAX(CASE WHEN name = {int(EventName.OUTBOUND)} AND goal <> 'outbound' THEN 1 ELSE 0 END)
                       AS converted,
                   SUM(CASE WHEN name = {ENG} THEN value ELSE 0 END) AS engaged_ms,
                   COUNT(*) AS events
            FROM rollup_events GROUP BY session
        ) s
        JOIN rollup_events f ON f.session = s.session AND f.starts = 1
        """
    )
    # The events other than page views and engagement (a fifth of them), for the dimensions and funnel steps
    # that read only those.
    _insert(f"CREATE TEMP TABLE rollup_actions AS SELECT * FROM rollup_events WHERE name NOT IN ({PV}, {ENG})")
    if connection.vendor == "postgresql":
        # Temporary tables get no statistics unless asked. Without them PostgreSQL guesses that a later funnel
        # step matches one action and loops over the previous step's visitors for each match (quadratic). The
        # first step and the dimensions plan well without (analysing rollup_events cost 35 ms a rebuild).
        _insert("ANALYZE rollup_actions (name, goal)")


def _session_dimensions(day: dt.date) -> None:
    for dimension, key, key2, where in SESSION_DIMENSIONS:
        _insert(
            _into(
                f"""%s, site, synthetic, %s, {key}, {key2},
                COUNT(DISTINCT visitor), COUNT(*), SUM(bounce), SUM(duration), SUM(pageviews), 0,
                SUM(events), SUM(converted), SUM(engaged_ms), 0, 0
                FROM rollup_sessions {"WHERE " + where if where else ""}
                GROUP BY {_group_by(_INTEGER_KEYS.get(key, key), key2)}"""
            ),
            [day, dimension],
        )


def _page_dimension(day: dt.date) -> None:
    """Pages (= translation groups) with page type, entries, engaged time and scroll depth."""
    _insert(
        _into(
            f"""%s, v.site, v.synthetic, 'page', CAST(v.page AS varchar(12)), COALESCE(CAST(v.page_type AS varchar(8)), ''),
            v.visitors, 0, 0, 0, v.pageviews, v.entries, v.events, 0,
            COALESCE(g.engaged_ms, 0), COALESCE(g.scroll_sum, 0), COALESCE(g.scroll_count, 0)
            FROM (
                SELECT site, synthetic, page, MAX(page_type) AS page_type, COUNT(DISTINCT visitor) AS visitors,
                       COUNT(*) AS pageviews, SUM(starts) AS entries, COUNT(*) AS events
                FROM rollup_events WHERE name = {PV} AND page IS NOT NULL GROUP BY page, site, synthetic
            ) v
            LEFT JOIN (
                SELECT site, synthetic, page, SUM(engaged) AS engaged_ms, SUM(deepest) AS scroll_sum,
                       COUNT(*) AS scroll_count
                FROM (
                    SELECT site, synthetic, page, visitor, SUM(value) AS engaged, MAX(scroll) AS deepest
                    FROM rollup_events WHERE name = {ENG} AND page IS NOT NULL
                    GROUP BY page, visitor, site, synthetic
                ) per_visitor GROUP BY page, site, synthetic
            ) g ON g.site = v.site AND g.synthetic = v.synthetic AND g.page = v.page"""  # noqa: E501
        ),
        [day],
    )


def _event_dimensions(day: dt.date) -> None:
    """Distinct visitors and sessions are counted in one sorted pass per dimension: sessions are numbered
    uniquely within the day, so neither needs grouping per visitor first (hashing 68,000 page views into
    per-session and per-visitor groups cost three times as much)."""
    for dimension, name, key, key2, where in EVENT_DIMENSIONS:
        grouped = _INTEGER_KEYS.get(key, key)
        table = "rollup_events" if name in (PV, ENG) else "rollup_actions"
        _insert(
            _into(
                f"""%s, site, synthetic, %s, {key.replace(grouped, "k1")}, k2,
                visitors, sessions, 0, 0, pageviews, 0, events, 0, 0, 0, 0
                FROM (
                    SELECT site, synthetic, {grouped} AS k1, {key2} AS k2, COUNT(DISTINCT visitor) AS visitors,
                           COUNT(DISTINCT session) AS sessions,
                           SUM(CASE WHEN name = {PV} THEN 1 ELSE 0 END) AS pageviews, COUNT(*) AS events
                    FROM {table} WHERE name = {int(name)} {"AND " + where if where else ""}
                    GROUP BY {_group_by(grouped, key2)}
                ) grouped"""
            ),
            [day, dimension],
        )


def _funnels(day: dt.date) -> None:
    """Visitors reaching each step of each funnel, in order, within the day."""
    for funnel in Funnel.objects.all():
        reached = None  # (site, synthetic, visitor) -> earliest time the previous step was done
        for index, step in enumerate(funnel.step_list(), start=1):
            try:
                event, qualifier = parse_step(step)
            except ValueError:
                break  # the admin form refuses bad steps; an old row just stops counting at the bad step
            condition = f"e.name = {int(event)}"
            params: list = []
            if qualifier and event is EventName.PAGEVIEW:
                app_label, _, model = qualifier.partition(".")
                type_id = ContentType.objects.filter(app_label=app_label, model=model).values_list("pk", flat=True)
                condition += " AND e.page_type = %s"
                params.append(type_id.first() or -1)
            elif qualifier:
                condition += " AND e.goal = %s"
                params.append(qualifier)
            table = f"funnel_step_{index}"
            events = "rollup_events" if event in (EventName.PAGEVIEW, EventName.ENGAGEMENT) else "rollup_actions"
            _insert(f"DROP TABLE IF EXISTS {table}")
            join = (
                f"JOIN {reached} r ON r.site = e.site AND r.synthetic = e.synthetic AND r.visitor = e.visitor "
                f"AND e.ts >= r.ts"
                if reached
                else ""
            )
            _insert(
                f"""CREATE TEMP TABLE {table} AS SELECT e.site, e.synthetic, e.visitor, MIN(e.ts) AS ts
                FROM {events} e {join} WHERE {condition} GROUP BY e.site, e.synthetic, e.visitor""",
                params,
            )
            _insert(
                _into(
                    f"""%s, site, synthetic, 'funnel', %s, %s, COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
                    FROM {table} GROUP BY site, synthetic"""
                ),
                [day, funnel.key, str(index)],
            )
            if reached:
                _insert(f"DROP TABLE {reached}")
            reached = table
        if reached:
            _insert(f"DROP TABLE {reached}")


def _consent_answers(day: dt.date) -> None:
    from consent.models import ConsentAnswer

    table = ConsentAnswer._meta.db_table
    _insert(
        _into(
            f"""%s, 0, synthetic, 'consent', country, answer, 0, 0, 0, 0, 0, 0, COUNT(*), 0, 0, 0, 0
            FROM {table} WHERE day = %s GROUP BY synthetic, country, answer"""
        ),
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
    _insert(
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


def _use_memory() -> None:
    """PostgreSQL: more memory for sorts and temporary tables until the transaction ends.

    temp_buffers can only be set before a session first uses temporary tables (then only to the same value):
    a connection that used some before keeps its size, and the rollup is slower but the same.
    """
    if connection.vendor != "postgresql":
        return
    _insert(f"SET LOCAL work_mem = '{WORK_MEM}'")
    try:
        with transaction.atomic():
            _insert(f"SET LOCAL temp_buffers = '{TEMP_BUFFERS}'")
    except DatabaseError:
        pass


def roll_up_day(day: dt.date) -> int:
    """Rebuild every rollup row of `day`; returns the number of raw events it read."""
    start, end = day_window(day)
    touched_before = timezone.now()
    with transaction.atomic():
        RollupDay.objects.get_or_create(day=day)
        marker = RollupDay.objects.select_for_update().get(day=day)  # other workers wait here for this day
        _use_memory()
        _delete_day(day)
        _build_temp_tables(start, end)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM rollup_events")
            raw_events = cursor.fetchone()[0]
        _session_dimensions(day)
        _page_dimension(day)
        _event_dimensions(day)
        _funnels(day)
        _consent_answers(day)
        _insert("DROP TABLE rollup_events")
        _insert("DROP TABLE rollup_sessions")
        _insert("DROP TABLE rollup_actions")
        marker.rolled_up_at = timezone.now()
        marker.raw_events = raw_events
        marker.save()
        TouchedDay.objects.filter(day=day, touched_at__lte=touched_before).delete()
    return raw_events


def days_to_roll_up(today: dt.date | None = None, nightly: bool = False) -> list[dt.date]:
    """Today, the days late events touched, and (nightly) the two days before today."""
    today = today or tokyo_day()
    days = {today} | set(TouchedDay.objects.filter(day__lt=today).values_list("day", flat=True))
    if nightly:
        days |= {today - dt.timedelta(days=1), today - dt.timedelta(days=2)}
    return sorted(days)
