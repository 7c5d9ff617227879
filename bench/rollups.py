"""Daily rollups on PostgreSQL: rolling up one day of 110,000 events, and a week's report read from the rollups,
with 1 M and with 10 M raw events, in one run.

    .venv/bin/python bench/rollups.py [--rollup-runs 5] [--report-runs 15] [--keep] [--reuse]
        [--postgres postgres://visitaizu:visitaizu@127.0.0.1:5432/]

Two fresh databases on that server (`visitaizu_bench_rollups_1m` and `_10m`, dropped at the end unless --keep;
--reuse keeps loaded ones from an earlier --keep run) are migrated and filled on the server side (INSERT ...
SELECT from generate_series and random(), seeded per day) with raw events shaped like intake's: about five
events per visitor, sessions split by gaps over 30 minutes, a few hundred pages, countries with their browser
and site languages, devices, channels with their referrers and UTM tags on landing events only, engaged time
and scroll, outbound goals, searches (a fifth with no results), 404s, saves, recommendations, 1 % synthetic
visitors, and consent answers. The measured day D (the last Sunday before today, Asia/Tokyo) holds 110,000
events, the same in both databases; the other events fill the days before it: 8 days in the 1 M database, 90
in the 10 M one (more history, as in reality). Every day is rolled up once, so the rollup table holds 9 and 91
days.

Measured side by side, alternating between the two databases (order swapped each round), medians:
- `analytics.rollups.roll_up_day(D)` (idempotent: each run rebuilds the same rows, as the nightly job does);
- a week's report from the rollups through `analytics.queries`: totals of the week ending D, of the week before
  and of the same week last year, the daily series, and the breakdowns a weekly report shows (`week_report`).
Wall time decides the goals; CPU time (this process plus its PostgreSQL backend) is printed beside it because it
hardly depends on the machine's other work. Growth when raw events grow tenfold is the median of the 10 M / 1 M
ratios of the runs made side by side. Ends with one JSON line.
"""

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

DAY_EVENTS = 110_000
SCENARIOS = {"1m": 1_000_000, "10m": 10_000_000}
GOAL_ROLLUP_S, GOAL_REPORT_MS, GOAL_GROWTH = 1.0, 200.0, 1.3

# --- What the generated events look like (value domains as analytics/intake.py produces them) -----------------
# (country, first Accept-Language tag, site language read, weight)
COUNTRIES = [
    ("TW", "zh-tw", "zh-hant", 18), ("TW", "zh-tw", "en", 1), ("TW", "zh-tw", "ja", 1), ("HK", "zh-hk", "zh-hant", 5),
    ("HK", "en-hk", "en", 2), ("MO", "zh-mo", "zh-hant", 1), ("CN", "zh-cn", "zh-hans", 8), ("KR", "ko-kr", "ko", 8),
    ("KR", "en-us", "en", 1), ("TH", "th-th", "th", 7), ("TH", "en-us", "en", 1), ("SG", "en-sg", "en", 2),
    ("SG", "zh-sg", "zh-hans", 1), ("MY", "en-my", "en", 1), ("ID", "id-id", "en", 1), ("VN", "vi-vn", "en", 1),
    ("PH", "en-ph", "en", 1), ("US", "en-us", "en", 7), ("CA", "en-ca", "en", 1), ("GB", "en-gb", "en", 2),
    ("FR", "fr-fr", "en", 2), ("DE", "de-de", "en", 2), ("IT", "it-it", "en", 1), ("ES", "es-es", "en", 1),
    ("AU", "en-au", "en", 3), ("NZ", "en-nz", "en", 1), ("JP", "ja", "ja", 12), ("JP", "ja-jp", "ja", 3),
    ("IN", "en-in", "en", 1), ("BR", "pt-br", "en", 1), ("", "en", "en", 2),
]  # fmt: skip
# (device: 0 unknown, 1 desktop, 2 mobile, 3 tablet; browser family; OS family; weight)
DEVICES = [
    (2, "Mobile Safari", "iOS", 28), (2, "Chrome Mobile", "Android", 22), (2, "Samsung Internet", "Android", 4),
    (2, "Chrome Mobile iOS", "iOS", 3), (2, "Facebook", "iOS", 2), (2, "LINE", "Android", 2),
    (3, "Mobile Safari", "iOS", 4), (3, "Chrome", "Android", 2), (1, "Chrome", "Windows", 14),
    (1, "Edge", "Windows", 5), (1, "Safari", "Mac OS X", 6), (1, "Chrome", "Mac OS X", 4),
    (1, "Firefox", "Windows", 2), (1, "Firefox", "Linux", 1), (1, "Chrome", "Chrome OS", 1), (0, "Other", "Other", 1),
]  # fmt: skip
# Landing event of a session: (channel, referrer host, utm_source, utm_medium, utm_campaign, weight).
# Channels as analytics.enrichment.Channel: 0 direct, 1 search, 2 social, 3 referral, 4 email, 5 paid, 6 AI.
SOURCES = [
    (0, "", None, None, None, 18), (1, "www.google.com", None, None, None, 12),
    (1, "www.google.com.tw", None, None, None, 8), (1, "www.google.com.hk", None, None, None, 3),
    (1, "search.naver.com", None, None, None, 3), (1, "www.google.co.kr", None, None, None, 2),
    (1, "www.baidu.com", None, None, None, 2), (1, "www.bing.com", None, None, None, 3),
    (1, "search.yahoo.co.jp", None, None, None, 2), (1, "www.google.co.th", None, None, None, 3),
    (1, "duckduckgo.com", None, None, None, 1), (2, "m.facebook.com", None, None, None, 6),
    (2, "l.instagram.com", None, None, None, 5), (2, "line.me", None, None, None, 3),
    (2, "www.xiaohongshu.com", None, None, None, 3), (2, "www.youtube.com", None, None, None, 3),
    (2, "www.dcard.tw", None, None, None, 2), (2, "pantip.com", None, None, None, 2), (2, "t.co", None, None, None, 1),
    (2, "l.instagram.com", "instagram", "social", "autumn-aizu", 2), (3, "www.japan.travel", None, None, None, 3),
    (3, "www.tohokukanko.jp", None, None, None, 2), (3, "www.kkday.com", None, None, None, 1),
    (3, "www.tripadvisor.com", None, None, None, 2), (4, "", "newsletter", "email", "tw-winter-aizu", 1),
    (4, "mail.google.com", None, None, None, 1), (4, "", "newsletter", "email", "hk-autumn-food", 1),
    (5, "www.google.com", "google", "cpc", "snow-2026", 1), (5, "m.facebook.com", "facebook", "paid_social",
    "sakura-2026", 1), (6, "chatgpt.com", None, None, None, 3), (6, "gemini.google.com", None, None, None, 1),
    (6, "www.perplexity.ai", None, None, None, 1),
]  # fmt: skip
# Outbound clicks: (goal kind from GoalDomain, or "outbound"; target host; weight)
OUTBOUND = [
    ("booking", "www.booking.com", 3), ("booking", "www.agoda.com", 2), ("booking", "www.klook.com", 2),
    ("booking", "www.jalan.net", 1), ("booking", "www.trip.com", 1), ("rail", "www.jreast.co.jp", 2),
    ("rail", "www.eki-net.com", 1), ("bus", "www.aizubus.com", 1), ("official", "www.tsurugajo.com", 1),
    ("map", "www.google.com", 3), ("outbound", "www.instagram.com", 1), ("outbound", "en.wikipedia.org", 2),
    ("outbound", "www.youtube.com", 1),
]  # fmt: skip
TERMS = [
    "onsen", "Onsen", "tsuruga castle", "Tsuruga Castle", "鶴ヶ城", "温泉", "sake", "ramen", "kitakata ramen",
    "ouchijuku", "大内宿", "snow", "bus", "train", "ski", "쓰루가성", "온천", "ออนเซ็น", "สึรุงะ", "會津", "会津",
    "byakkotai", "samurai", "festival", "cherry blossom", "autumn leaves", "tadami line", "hotel", "wifi", "map",
    "tsurugajo", "higashiyama onsen", "rental car", "lunch", "souvenir", "lacquer", "akabeko", "candle festival",
    "nanokamachi", "weather",
]  # fmt: skip
LANGUAGES = ["ja", "en", "zh-hant", "zh-hans", "ko", "th"]
PLACEMENTS = ["route-end", "home", "spot-side"]
# Event names (analytics.schema.EventName 1..9) after a session's first event, which is always a page view:
# page view 50 %, engagement 27, outbound 4, search 3, 404 1, language switch 2, save 2, rec. impression 8,
# rec. click 3.
NAME_THRESHOLDS = [0.50, 0.77, 0.81, 0.84, 0.85, 0.87, 0.89, 0.97]
PAGE_TYPES = ["routes.routepage", "routes.spotpage", "events.eventpage", "content.standardpage", "content.homepage"]

GENERATE_DAY = """
WITH v AS MATERIALIZED (
    SELECT g AS vn, floor(random() * 9.2e18 - 4.6e18)::bigint AS visitor,
           1 + floor(random() * cardinality(%(countries)s::text[]))::int AS ci,
           1 + floor(random() * cardinality(%(devices)s::int[]))::int AS di,
           random() < 0.01 AS synthetic,
           1 + (random() < 0.2)::int + (random() < 0.05)::int AS nsessions,
           random() AS rstart
    FROM generate_series(1, %(visitors)s) g
), s AS MATERIALIZED (
    SELECT v.*, sn, 1 + floor(random() * cardinality(%(channels)s::int[]))::int AS si,
           1 + least(29, floor(-ln(1 - random()) * 3.5)::int) AS nevents,
           15 + floor(random() * 240)::int AS step_s
    FROM v CROSS JOIN LATERAL generate_series(1, v.nsessions) sn
), e AS MATERIALIZED (
    SELECT s.*, en,
           CASE WHEN en = 1 THEN 1 ELSE 1 + width_bucket(random(), %(thresholds)s::float8[]) END AS name,
           random() AS rpage, random() AS rval, random() AS rval2, random() AS rpick, random() AS rjit
    FROM s CROSS JOIN LATERAL generate_series(1, s.nevents) en
    ORDER BY vn, sn, en LIMIT %(events)s
), p AS MATERIALIZED (
    SELECT e.*, 1 + floor(300 * rpage ^ 2.5)::int AS pg,
           %(start)s::timestamptz + make_interval(secs => floor(1000 * (
               rstart * (86400 - nsessions * 10800) + (sn - 1) * 10800 + (en - 1) * step_s + rjit * step_s * 0.5
           )) / 1000.0) AS at
    FROM e
)
INSERT INTO analytics_rawevent (
    at, site, name, visitor, synthetic, page, page_type, path, lang, browser_lang, fallback, country, device,
    browser, os, channel, referrer, utm_source, utm_medium, utm_campaign, goal, target, item, items, value, scroll)
SELECT at, 1, name, visitor, synthetic,
       CASE WHEN name = 5 THEN NULL ELSE pg END,
       CASE WHEN name = 5 THEN NULL ELSE (%(page_types)s::int[])[1 + pg %% 5] END,
       CASE WHEN name = 5 THEN '/' || (%(langs)s::text[])[ci] || '/old-page-' || floor(120 * rval ^ 2) || '/'
            ELSE '/' || (%(langs)s::text[])[ci] || '/p/' || pg || '/' END,
       (%(langs)s::text[])[ci], (%(browser_langs)s::text[])[ci],
       rpick < 0.05 AND (%(langs)s::text[])[ci] IN ('zh-hans', 'ko', 'th'),
       (%(countries)s::text[])[ci], (%(devices)s::int[])[di], (%(browsers)s::text[])[di], (%(oses)s::text[])[di],
       CASE WHEN en = 1 THEN (%(channels)s::int[])[si] ELSE 7 END,
       CASE WHEN en = 1 THEN (%(referrers)s::text[])[si] ELSE '' END,
       CASE WHEN en = 1 THEN (%(utm_sources)s::text[])[si] END,
       CASE WHEN en = 1 THEN (%(utm_mediums)s::text[])[si] END,
       CASE WHEN en = 1 THEN (%(utm_campaigns)s::text[])[si] END,
       CASE WHEN name = 3 THEN (%(goals)s::text[])[1 + floor(rpick * cardinality(%(goals)s::text[]))::int] END,
       CASE name
           WHEN 3 THEN (%(targets)s::text[])[1 + floor(rpick * cardinality(%(targets)s::text[]))::int]
           WHEN 4 THEN CASE WHEN rval < 0.7
                            THEN (%(terms)s::text[])[1 + floor(rpick * cardinality(%(terms)s::text[]))::int]
                            ELSE 'term ' || floor(500 * rpick ^ 3) END
           WHEN 6 THEN (%(site_langs)s::text[])[1 + floor(rpick * 6)::int]
           WHEN 8 THEN (%(placements)s::text[])[1 + floor(rpick * 3)::int]
           WHEN 9 THEN (%(placements)s::text[])[1 + floor(rpick * 3)::int]
       END,
       CASE WHEN name IN (7, 9) THEN 100 + floor(60 * rval ^ 2)::int END,
       CASE WHEN name = 8 THEN '101,102,103' END,
       CASE name
           WHEN 2 THEN 1000 + floor(299000 * rval ^ 2)::int
           WHEN 4 THEN CASE WHEN rval2 < 0.2 THEN 0 ELSE 1 + floor(40 * rval2)::int END
           WHEN 7 THEN (rval2 < 0.85)::int
           WHEN 9 THEN 1 + floor(6 * rval2)::int
       END,
       CASE WHEN name = 2 THEN floor(101 * rval2)::int END
FROM p ORDER BY at
"""

GENERATE_CONSENT = """
INSERT INTO consent_consentanswer (day, answer, notice_version, country, language, synthetic)
SELECT %(day)s, (ARRAY['agreed', 'declined', 'withdrawn'])[1 + width_bucket(random(), ARRAY[0.4, 0.98])], 2,
       (%(countries)s::text[])[ci], (%(langs)s::text[])[ci], random() < 0.01
FROM (SELECT 1 + floor(random() * cardinality(%(countries)s::text[]))::int AS ci
      FROM generate_series(1, %(answers)s)) a
"""


def expand(rows: list[tuple]) -> list[tuple]:
    return [row[:-1] for row in rows for _ in range(row[-1])]


def generator_params() -> dict:
    from django.contrib.contenttypes.models import ContentType

    countries, devices, sources = expand(COUNTRIES), expand(DEVICES), expand(SOURCES)
    outbound = expand(OUTBOUND)
    type_ids = [ContentType.objects.get_by_natural_key(*label.split(".")).pk for label in PAGE_TYPES]
    return {
        "countries": [c[0] for c in countries], "browser_langs": [c[1] for c in countries],
        "langs": [c[2] for c in countries], "devices": [d[0] for d in devices], "browsers": [d[1] for d in devices],
        "oses": [d[2] for d in devices], "channels": [s[0] for s in sources], "referrers": [s[1] for s in sources],
        "utm_sources": [s[2] for s in sources], "utm_mediums": [s[3] for s in sources],
        "utm_campaigns": [s[4] for s in sources], "goals": [o[0] for o in outbound],
        "targets": [o[1] for o in outbound], "terms": TERMS, "site_langs": LANGUAGES, "placements": PLACEMENTS,
        "thresholds": NAME_THRESHOLDS, "page_types": type_ids,
    }  # fmt: skip


# --- Databases ---------------------------------------------------------------------------------------------


def server_url(base: str, database: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def admin(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url(base, "postgres"), autocommit=True) as connection:
        connection.execute(sql)


def database_exists(base: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(server_url(base, "postgres"), autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def use(database: str) -> None:
    """Point Django's default connection at another database of the same server."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database
    ContentType.objects.clear_cache()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # connect now, not inside a timed block


def day_counts(total: int, days: int) -> list[int]:
    """Events of each day, oldest first; the last day (the measured one) has exactly DAY_EVENTS."""
    rest, others = total - DAY_EVENTS, days - 1
    return [rest // others + (1 if i < rest % others else 0) for i in range(others)] + [DAY_EVENTS]


def load(total: int, measured_day: dt.date) -> tuple[float, int]:
    """Raw events and consent answers of every day up to `measured_day`; returns (seconds, days)."""
    from django.core.management import call_command
    from django.db import connection

    from analytics.anonymous_ids import TOKYO
    from analytics.rollups import day_window
    from analytics.storage import ensure_partitions

    with contextlib.redirect_stdout(io.StringIO()):  # modeltranslation prints the columns it adds
        call_command("migrate", interactive=False, verbosity=0)
    days = round(total / DAY_EVENTS)
    counts = day_counts(total, days)
    first = measured_day - dt.timedelta(days=days - 1)
    ensure_partitions(around=dt.datetime.combine(first, dt.time(), tzinfo=TOKYO), months_ahead=(days // 28) + 3)
    params = generator_params()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for offset, events in enumerate(counts):
            day = first + dt.timedelta(days=offset)
            cursor.execute("SELECT setseed(%s)", [(day.toordinal() % 20_000) / 10_000 - 1])
            start, _end = day_window(day)
            visitors = round(events / 5 * 1.15)  # about 5.0 events a visitor; the last visitor is cut short
            cursor.execute(GENERATE_DAY, {**params, "start": start, "visitors": visitors, "events": events})
            cursor.execute(GENERATE_CONSENT, {**params, "day": day, "answers": round(events / 5 * 0.3)})
            if offset % 10 == 9 or offset == days - 1:
                print(f"  {offset + 1}/{days} days loaded ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("VACUUM ANALYZE analytics_rawevent")
        cursor.execute("VACUUM ANALYZE consent_consentanswer")
    return time.perf_counter() - started, days


def events_of(day: dt.date) -> int:
    from analytics.models import RawEvent
    from analytics.rollups import day_window

    start, end = day_window(day)
    return RawEvent.objects.filter(at__gte=start, at__lt=end).count()


def raw_events() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM analytics_rawevent")
        return cursor.fetchone()[0]


def default_partition_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM analytics_rawevent_default")
        return cursor.fetchone()[0]


def roll_up_all() -> tuple[float, int]:
    """Roll up every day that has events (so the rollup table holds the whole history); (seconds, days)."""
    from django.db import connection

    from analytics.models import DailyRollup
    from analytics.rollups import roll_up_day

    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT day FROM consent_consentanswer ORDER BY day")
        days = [row[0] for row in cursor.fetchall()]
    started = time.perf_counter()
    for day in days:
        roll_up_day(day)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {DailyRollup._meta.db_table}")
    return seconds, len(days)


# --- What is timed -----------------------------------------------------------------------------------------

REPORT_MARKET = "taiwan"


def week_report(day: dt.date, timings: dict | None = None) -> int:
    """The queries a weekly report makes for the week ending `day`; returns how many calls it made."""
    from analytics.queries import Period, breakdown, has_synthetic, timeseries, totals

    week = Period(day - dt.timedelta(days=6), day)
    calls = [
        ("totals week", lambda: totals(week)),
        ("totals previous week", lambda: totals(week.shifted(-7))),
        ("totals same week last year", lambda: totals(week.shifted(-364))),
        ("timeseries", lambda: timeseries(week)),
        ("has_synthetic", lambda: has_synthetic(week)),
    ]
    for dimension in (
        "market", "country", "page", "page_market", "channel", "referrer", "campaign", "device", "lang_fit", "goal",
        "search_no_result", "not_found", "rec_click", "consent_market", "funnel",
    ):  # fmt: skip
        calls.append((f"breakdown {dimension}", lambda d=dimension: breakdown(week, d, limit=10)))
    calls.append(
        (f"breakdown page in {REPORT_MARKET}", lambda: breakdown(week, "page", market=REPORT_MARKET, limit=10))
    )
    for name, call in calls:
        started = time.perf_counter()
        call()
        if timings is not None:
            timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return len(calls)


class Clock:
    """Wall time, and CPU time of this process plus that of its PostgreSQL backend (read from
    /proc/<pid>/schedstat when the server runs on this machine): CPU time hardly depends on what else the
    machine is doing, wall time does."""

    def __init__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")

    def _backend_s(self) -> float | None:
        try:
            return int(self.backend.read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            return None

    def __enter__(self):
        self.wall, self.cpu, self.backend_cpu = time.perf_counter(), time.process_time(), self._backend_s()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        backend = self._backend_s()
        self.cpu = time.process_time() - self.cpu
        self.cpu = None if backend is None or self.backend_cpu is None else self.cpu + backend - self.backend_cpu


def timed_rollup(day: dt.date) -> tuple[float, float | None]:
    """(wall, CPU) seconds of one rebuild of `day`."""
    from analytics.rollups import roll_up_day

    with Clock() as clock:
        roll_up_day(day)
    return clock.wall, clock.cpu


def timed_report(day: dt.date, timings: dict) -> tuple[float, float | None]:
    """(wall, CPU) milliseconds of a week's report."""
    with Clock() as clock:
        week_report(day, timings)
    return clock.wall * 1000, None if clock.cpu is None else clock.cpu * 1000


def interleaved(databases: dict[str, str], runs: int, measure) -> dict[str, list]:
    """`measure()` in each database in turn, `runs` rounds, the order swapped every round."""
    results: dict[str, list] = {key: [] for key in databases}
    keys = list(databases)
    for round_number in range(runs):
        for key in keys if round_number % 2 == 0 else reversed(keys):
            use(databases[key])
            results[key].append(measure(key))
    return results


def summary(runs: dict[str, list[tuple]]) -> dict:
    """Medians of wall and CPU time per database, and the growth 10m / 1m: the median of the ratios of the runs
    made side by side (round by round), which cancels most of the drift in the machine's load."""
    wall = {key: statistics.median(run[0] for run in values) for key, values in runs.items()}
    cpus = {key: [run[1] for run in values if run[1] is not None] for key, values in runs.items()}
    cpu = {key: statistics.median(values) if values else None for key, values in cpus.items()}
    growth = statistics.median(large[0] / small[0] for small, large in zip(runs["1m"], runs["10m"], strict=True))
    return {"wall": wall, "cpu": cpu, "growth": growth}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://visitaizu:visitaizu@127.0.0.1:5432/")
    parser.add_argument("--database", default="visitaizu_bench_rollups", help="prefix of the two database names")
    parser.add_argument("--rollup-runs", type=int, default=5)
    parser.add_argument("--report-runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="do not drop the databases at the end")
    parser.add_argument("--reuse", action="store_true", help="use databases loaded by an earlier --keep run")
    args = parser.parse_args()

    databases = {key: f"{args.database}_{key}" for key in SCENARIOS}
    os.chdir(ROOT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = server_url(args.postgres, databases["1m"])
    import django

    django.setup()
    from django.db import connection

    from analytics.anonymous_ids import tokyo_day

    today = tokyo_day()
    measured_day = today - dt.timedelta(days=today.isoweekday() % 7 or 7)  # the last Sunday before today
    server = urlsplit(args.postgres)
    print(f"Measured day {measured_day} ({DAY_EVENTS:,} events); PostgreSQL at {server.hostname}:{server.port}")

    info: dict[str, dict] = {}
    for key, total in SCENARIOS.items():
        name = databases[key]
        if args.reuse and database_exists(args.postgres, name):
            use(name)
            info[key] = {"raw_events": raw_events(), "reused": True}
            print(f"{key}: reusing {name} ({info[key]['raw_events']:,} raw events)")
            continue
        connection.close()
        admin(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin(args.postgres, f"CREATE DATABASE {name}")
        use(name)
        print(f"{key}: loading {total:,} raw events into {name}…", flush=True)
        load_s, days = load(total, measured_day)
        rollup_all_s, rolled_days = roll_up_all()
        info[key] = {"raw_events": raw_events(), "load_s": round(load_s, 1), "days": days}
        print(
            f"{key}: {info[key]['raw_events']:,} raw events over {days} days loaded in {load_s:.0f} s "
            f"({default_partition_rows()} in the default partition); {rolled_days} days rolled up in "
            f"{rollup_all_s:.0f} s ({rollup_all_s / rolled_days:.2f} s a day)",
            flush=True,
        )

    from analytics.models import DailyRollup

    for key, name in databases.items():
        use(name)
        info[key]["rollup_rows"] = DailyRollup.objects.count()
        info[key]["measured_day_events"] = events_of(measured_day)
    rows = ", ".join(f"{key} {info[key]['rollup_rows']:,}" for key in databases)
    events = ", ".join(f"{key} {info[key]['measured_day_events']:,}" for key in databases)
    print(f"Rollup rows: {rows}; events of {measured_day}: {events}")

    rollup = interleaved(databases, args.rollup_runs, lambda key: timed_rollup(measured_day))
    per_query: dict[str, dict] = {key: {} for key in databases}
    for name in databases.values():  # warm-up, untimed
        use(name)
        week_report(measured_day)
    report = interleaved(databases, args.report_runs, lambda key: timed_report(measured_day, per_query[key]))
    calls = week_report(measured_day)

    rollups, reports = summary(rollup), summary(report)
    load_average = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nroll_up_day({measured_day}), {args.rollup_runs} runs each: wall s (CPU s, this process + its backend)")
    for key, values in rollup.items():
        cpu = rollups["cpu"][key]
        runs = ", ".join(f"{wall:.3f}" + (f" ({used:.3f})" if used is not None else "") for wall, used in values)
        print(
            f"  {key:>4}: median {rollups['wall'][key]:.3f}" + (f" (CPU {cpu:.3f})" if cpu else "") + f"   runs {runs}"
        )
    print(f"Week's report ({calls} calls through analytics.queries), {args.report_runs} runs each: wall ms (CPU ms)")
    for key, values in report.items():
        cpu = reports["cpu"][key]
        runs = ", ".join(f"{wall:.0f}" for wall, _cpu in values)
        print(
            f"  {key:>4}: median {reports['wall'][key]:.1f}" + (f" (CPU {cpu:.1f})" if cpu else "") + f"   runs {runs}"
        )
    print("  per call, median wall ms (1m / 10m):")
    for name in per_query["1m"]:
        small, large = (statistics.median(per_query[key][name]) for key in ("1m", "10m"))
        print(f"    {name:<34}{small:>8.2f}{large:>8.2f}")
    print(
        f"Growth with tenfold raw events (median of side-by-side ratios): roll-up ×{rollups['growth']:.2f}, "
        f"week's report ×{reports['growth']:.2f}. Load average at the end: {load_average}"
    )

    goals = {
        "rollup_day_s_le_1": all(value <= GOAL_ROLLUP_S for value in rollups["wall"].values()),
        "week_report_ms_le_200": all(value <= GOAL_REPORT_MS for value in reports["wall"].values()),
        "growth_le_1.3": rollups["growth"] <= GOAL_GROWTH and reports["growth"] <= GOAL_GROWTH,
    }

    def rounded(value, digits):
        return None if value is None else round(value, digits)

    figures = {
        "database": "postgresql",
        "measured_day_events": info["1m"]["measured_day_events"],
        "raw_events_1m": info["1m"]["raw_events"],
        "raw_events_10m": info["10m"]["raw_events"],
        "rollup_rows_1m": info["1m"]["rollup_rows"],
        "rollup_rows_10m": info["10m"]["rollup_rows"],
        "rollup_day_s_1m": rounded(rollups["wall"]["1m"], 3),
        "rollup_day_s_10m": rounded(rollups["wall"]["10m"], 3),
        "week_report_ms_1m": rounded(reports["wall"]["1m"], 1),
        "week_report_ms_10m": rounded(reports["wall"]["10m"], 1),
        "rollup_growth": rounded(rollups["growth"], 3),
        "report_growth": rounded(reports["growth"], 3),
        "rollup_day_cpu_s_1m": rounded(rollups["cpu"]["1m"], 3),
        "rollup_day_cpu_s_10m": rounded(rollups["cpu"]["10m"], 3),
        "week_report_cpu_ms_1m": rounded(reports["cpu"]["1m"], 1),
        "week_report_cpu_ms_10m": rounded(reports["cpu"]["10m"], 1),
        "report_calls": calls,
        "rollup_runs": args.rollup_runs,
        "report_runs": args.report_runs,
        "load_average": [round(value, 1) for value in os.getloadavg()],
    }
    connection.close()
    if not args.keep:
        for name in databases.values():
            admin(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(json.dumps({"bench": "rollups", "figures": figures, "goals": goals, "met": all(goals.values())}))


if __name__ == "__main__":
    main()
