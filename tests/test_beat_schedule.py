"""The beat schedule runs: a real `celery worker --beat` process, a real broker and a database of its own.

The worker runs with `tests.beat_settings`: the development settings with every entry of the configured
CELERY_BEAT_SCHEDULE due every second or two (same names, tasks and args). Its database is a new one (a SQLite file
in a temporary folder, or a separate PostgreSQL database when DATABASE_URL names PostgreSQL), migrated and seeded
by subprocesses with the same settings, so the test process's own test database and transaction are never
involved. The broker is SQLAlchemy over a SQLite file by default, Redis (database 11, flushed) with REDIS_URL; the
shared cache is the database cache table or that Redis.

Before the worker starts, the database gets raw events for today, for an earlier day (its TouchedDay row says
late events touched it), for two days ago (TouchedDay removed: only the nightly rollup rebuilds it) and for a day
past ANALYTICS_RETENTION_DAYS; the cache an expired salt; Redis buffered events; PostgreSQL loses its last
monthly partition. Then every entry must be seen sent by beat and run by the worker, and each must have done
its job.
"""

import ast
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
WORKER_REDIS_DB = 11  # the test's own Redis database: other test runs use other numbers
TIMEOUT = 90
DRAINED_PATH = "/beat-test/drained/"


# --- Run inside subprocesses with the worker's settings (python -c "...; prepare(out)") ---------------------------


def prepare(out: str) -> None:
    """Migrate the worker's new database, make its cache table and seed it: one process, one Django start."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable")
    seed(out)


def seed(out: str) -> None:
    import datetime as dt

    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    from analytics import anonymous_ids, buffer
    from analytics.anonymous_ids import TOKYO, tokyo_day
    from analytics.models import RawEvent, TouchedDay
    from analytics.storage import write_batch
    from tests.rollup_fixtures import event
    from visitaizu.celery import app

    now = timezone.now()
    today = tokyo_day(now)
    touched, nightly = today - dt.timedelta(days=5), today - dt.timedelta(days=2)
    old = now - dt.timedelta(days=settings.ANALYTICS_RETENTION_DAYS + 10)

    def noon(day):
        return dt.datetime.combine(day, dt.time(12), tzinfo=TOKYO)

    write_batch(
        [
            event(now, 1, page=10),
            event(now, 2, page=11),
            event(noon(touched), 3, page=10),
            event(noon(touched), 3, page=11),
            event(noon(nightly), 4, page=10),
            event(old, 5, page=10),
        ]
    )
    TouchedDay.objects.filter(day=nightly).delete()  # only roll-up-nightly rebuilds this day now
    cache.set(anonymous_ids._KEY.format(day=(today - dt.timedelta(days=3)).isoformat()), b"0" * 16, 3600)
    buffered = 0
    if buffer.uses_redis():
        buffer.keep([event(now, 6, page=12, path=DRAINED_PATH), event(now, 7, page=12, path=DRAINED_PATH)])
        buffered = buffer.pending_count()
    dropped = None
    if connection.vendor == "postgresql":
        partitions = _partitions(connection)
        dropped = partitions[-1]  # the furthest month ahead: create-event-partitions must make it again
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {dropped}")
    # Create the broker's queue (and with SQLAlchemy its tables) now, so the worker and beat never race to.
    with app.connection_for_write() as conn:
        for queue in app.amqp.queues.values():
            queue(conn.default_channel).declare()
    Path(out).write_text(
        json.dumps(
            {
                "today": today.isoformat(),
                "touched": touched.isoformat(),
                "nightly": nightly.isoformat(),
                "old_salt_day": (today - dt.timedelta(days=3)).isoformat(),
                "raw_events": RawEvent.objects.count(),
                "buffered": buffered,
                "dropped_partition": dropped,
                "vendor": connection.vendor,
                "uses_redis": buffer.uses_redis(),
            }
        )
    )


def probe(out: str) -> None:
    import datetime as dt

    from django.core.cache import cache
    from django.db import connection
    from django.utils import timezone

    from analytics import anonymous_ids, buffer
    from analytics.anonymous_ids import tokyo_day
    from analytics.models import DailyRollup, RawEvent, TouchedDay

    today = tokyo_day()
    cutoff = timezone.now() - dt.timedelta(days=settings.ANALYTICS_RETENTION_DAYS)
    Path(out).write_text(
        json.dumps(
            {
                "rollup_days": sorted({day.isoformat() for day in DailyRollup.objects.values_list("day", flat=True)}),
                "touched_days": sorted(day.isoformat() for day in TouchedDay.objects.values_list("day", flat=True)),
                "salts": {
                    day.isoformat(): cache.get(anonymous_ids._KEY.format(day=day.isoformat())) is not None
                    for day in (today, today - dt.timedelta(days=3))
                },
                "raw_events": RawEvent.objects.count(),
                "past_retention": RawEvent.objects.filter(at__lt=cutoff).count(),
                "drained": RawEvent.objects.filter(path=DRAINED_PATH).count(),
                "pending": buffer.pending_count(),
                "partitions": _partitions(connection) if connection.vendor == "postgresql" else [],
            }
        )
    )


def _partitions(connection) -> list[str]:
    """The monthly partitions attached to the raw event table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'analytics_rawevent'::regclass AND c.relname LIKE %s ORDER BY c.relname",
            ["analytics_rawevent_y%"],
        )
        return [name for (name,) in cursor.fetchall()]


# --- The test process ----------------------------------------------------------------------------------------


def _with_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path))


@contextmanager
def worker_environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment of the worker and its helper processes: its own database, broker and cache; cleaned up after."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.beat_settings",
        "VISITAIZU_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "var" / "media"),
        "PYTHONPATH": str(ROOT),
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "ANALYTICS_BUFFER": "",
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }
    env.pop("CELERY_ALWAYS_EAGER", None)
    redis_client = pg_database = None
    if os.environ.get("REDIS_URL"):
        import redis

        env["REDIS_URL"] = _with_path(os.environ["REDIS_URL"], f"/{WORKER_REDIS_DB}")
        redis_client = redis.Redis.from_url(env["REDIS_URL"])
        redis_client.flushdb()
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(database_url)
        pg_database = f"test_{config['NAME']}_beat_worker"
        server = psycopg.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        server.execute(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{pg_database}"')
        env["DATABASE_URL"] = _with_path(database_url, f"/{pg_database}")
    try:
        yield env
    finally:
        if redis_client is not None:
            redis_client.flushdb()
            redis_client.close()
        if pg_database is not None:
            server.execute(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')
            server.close()


def run(env: dict[str, str], *args: str) -> None:
    completed = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, f"{args} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-5000:]}"


def run_in_worker_settings(env: dict[str, str], function: str, out: Path) -> dict:
    """Run `prepare` or `probe` (above) in a process with the worker's settings; return what it wrote."""
    run(
        env,
        "-c",
        f"import django; django.setup(); from tests.test_beat_schedule import {function}; {function}({str(out)!r})",
    )
    return json.loads(out.read_text())


def entries_not_yet_run(log: str) -> dict[str, str]:
    """Entries of the configured schedule that beat has not sent yet, or whose task no run has finished."""
    sent = set(re.findall(r"Sending due task (\S+) \(([\w.]+)\)", log))
    succeeded = set(re.findall(r"Task ([\w.]+)\[[0-9a-f-]+\] succeeded", log))
    return {
        name: entry["task"]
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if (name, entry["task"]) not in sent or entry["task"] not in succeeded
    }


def returned(log: str, task: str) -> list:
    """What the worker's runs of `task` returned, from its "succeeded in ...s: <value>" lines."""
    pattern = rf"Task {re.escape(task)}\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: (.*)$"
    return [ast.literal_eval(value) for value in re.findall(pattern, log, re.MULTILINE)]


def test_every_beat_entry_names_a_registered_task():
    from visitaizu.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovers every app's tasks module
    unknown = {
        name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] not in app.tasks
    }
    assert not unknown, f"beat entries naming no registered task: {unknown}"
    assert set(settings.CELERY_BEAT_SCHEDULE) >= {
        "drain-event-buffer",
        "rotate-salts",
        "create-event-partitions",
        "roll-up-recent-days",
        "roll-up-nightly",
        "purge-old-events",
    }


@pytest.mark.slow
def test_beat_schedule_runs_every_entry_on_a_real_worker(tmp_path):
    with worker_environment(tmp_path) as env:
        seeded = run_in_worker_settings(env, "prepare", tmp_path / "seeded.json")
        assert seeded["raw_events"] == 6
        assert seeded["uses_redis"] == bool(env["REDIS_URL"])
        assert seeded["vendor"] == ("postgresql" if env["DATABASE_URL"] else "sqlite")
        if seeded["uses_redis"]:
            assert seeded["buffered"] == 2

        log_path = tmp_path / "worker.log"
        with log_path.open("w") as log_file:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "visitaizu",
                    "worker",
                    "--beat",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "info",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, with the embedded beat process
            )
        try:
            deadline = time.monotonic() + TIMEOUT
            while missing := entries_not_yet_run(log_path.read_text()):
                assert worker.poll() is None, f"worker exited:\n{log_path.read_text()[-5000:]}"
                assert time.monotonic() < deadline, f"never ran: {missing}\n{log_path.read_text()[-5000:]}"
                time.sleep(0.5)
            worker.terminate()  # warm shutdown: the task running (perhaps a long one) finishes meanwhile
            state = run_in_worker_settings(env, "probe", tmp_path / "probe.json")
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=60)
            finally:
                try:  # whatever is left of its process group: the embedded beat, a task's own subprocess
                    os.killpg(worker.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                worker.wait(timeout=10)
        log = log_path.read_text()

    assert not re.search(r": (ERROR|CRITICAL)/", log), log[-5000:]  # no task failed, nor beat
    # roll-up-recent-days: today, and the earlier day late events touched, whose TouchedDay row is then gone
    # (roll-up-nightly rebuilds touched days as well, so whichever ran first did it).
    recent = {day for days in returned(log, "analytics.tasks.roll_up_recent_days") for day in days}
    nightly = {day for days in returned(log, "analytics.tasks.roll_up_nightly") for day in days}
    assert seeded["today"] in recent
    assert seeded["touched"] in recent | nightly
    assert {seeded["today"], seeded["touched"]} <= set(state["rollup_days"])
    assert seeded["touched"] not in state["touched_days"]
    # roll-up-nightly: two days ago, which nothing marked as touched.
    assert seeded["nightly"] in nightly
    assert seeded["nightly"] in state["rollup_days"]
    # rotate-salts: today's salt made ahead of the first event, in the shared cache; the expired one deleted.
    assert state["salts"] == {seeded["today"]: True, seeded["old_salt_day"]: False}
    # purge-old-events: the event past ANALYTICS_RETENTION_DAYS is gone, the others stay.
    assert state["past_retention"] == 0
    assert state["raw_events"] == seeded["raw_events"] - 1 + seeded["buffered"]
    # drain-event-buffer: the buffered events are in the table and nothing waits in Redis.
    assert sum(returned(log, "analytics.tasks.drain_event_buffer")) == seeded["buffered"]
    assert state["drained"] == seeded["buffered"]
    assert state["pending"] == 0
    # create-event-partitions: the dropped monthly partition is back (PostgreSQL only; elsewhere a no-op run).
    if seeded["dropped_partition"]:
        assert seeded["dropped_partition"] in state["partitions"]
        made = {name for names in returned(log, "analytics.tasks.create_event_partitions") for name in names}
        if not seeded["uses_redis"]:  # with Redis the drain makes missing partitions too, and may come first
            assert seeded["dropped_partition"] in made
