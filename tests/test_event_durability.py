"""An event answered 2xx is never lost while PostgreSQL is down.

For real, no mocks: the test makes its own PostgreSQL instance (initdb into a temporary folder, its own port on
127.0.0.1, so the system cluster CI starts is never touched), migrates it, and serves the site with gunicorn
(2 sync workers) and the Redis buffer. Events arrive continuously from two threads, one per request. PostgreSQL
is stopped for about five seconds while they keep arriving; meanwhile gunicorn restarts its workers, so processes
that never saw the database answer too. A drain loop runs throughout, as in production, and fails while the
database is away. Then PostgreSQL starts again, the buffer is drained, and every event answered
202 {"counted": true} must be in analytics_rawevent exactly once, with nothing left in Redis.

Why this holds for a 10-minute outage too: on its hot path intake talks to Redis only. The three things it reads
from the database (the site of a host name, once a minute per process; the page-type ids, once per process; the
goal list, every 5 minutes through the shared cache) fall back to the last value any process read, kept in Redis
(`analytics.intake._last_known`, `analytics.enrichment.goal_domains`); the worker restart and the goal list
expired during the outage stand in for the minutes. The buffer is a Redis list with appendonly on. Sizing, with
the figures bench/ingest.py measures: a waiting event takes about 200 bytes of Redis memory, so at 1,000
events/s (several times the site's peak, and more than two sync workers on two cores can answer) 10 minutes are
600,000 events ≈ 120 MB; the drain then writes them in full batches of 5,000 at about 12 µs of CPU per event,
so the backlog is gone within a minute of PostgreSQL's return. A database that hangs rather than refuses
connections also needs a connect timeout (`?connect_timeout=2` in DATABASE_URL), or each lookup waits for TCP's.
"""

import glob
import http.client
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.demo_server import ROOT, free_port, server_env

PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(Path(path).parent.name.split(".")[0]))
REDIS_DB = 9  # the suite uses db 0; the ingest bench db 10
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
OUTAGE_SECONDS = 5.0

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set: the buffer needs Redis"),
    pytest.mark.skipif(not PG_BINS, reason="no PostgreSQL binaries under /usr/lib/postgresql/*/bin"),
    pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("runuser"), reason="runuser is needed as root"),
]


def redis_url(db: int) -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit(parts._replace(path=f"/{db}"))


class PrivatePostgres:
    """A throwaway PostgreSQL cluster owned by the `postgres` user when we are root (initdb refuses root)."""

    def __init__(self, root: Path):
        self.root = root
        self.bin = Path(PG_BINS[-1])
        self.data = root / "data"
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.url = f"postgres://postgres:{self.password}@127.0.0.1:{self.port}/visitaizu"

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root)
        if check and result.returncode:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{result.stdout}{result.stderr}{log}")
        return result

    def init(self) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        pwfile = self.root / "pw"
        pwfile.write_text(self.password)
        pwfile.chmod(0o644)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "scram-sha-256", f"--pwfile={pwfile}",
                  "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        pwfile.unlink()

    def start(self) -> None:
        # fsync off only spares the disk during migrate: a fast stop is a clean shutdown either way.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "-o", options,
                  "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return self.data.exists() and self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def connect(self, dbname: str = "visitaizu"):
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", password=self.password, dbname=dbname, autocommit=True
        )


@pytest.fixture
def private_postgres():
    root = Path(tempfile.mkdtemp(prefix="visitaizu-pg-"))
    pg = PrivatePostgres(root)
    try:
        pg.init()
        pg.start()
        with pg.connect("postgres") as conn:
            conn.execute("CREATE DATABASE visitaizu")
        yield pg
    finally:
        if pg.running():
            pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@dataclass(slots=True)
class Answer:
    sent: float
    done: float
    status: int  # 0: no HTTP answer at all
    counted: bool
    detail: str = ""


def event_body(i: int, base: str) -> bytes:
    kind = i % 3
    if kind == 0:
        body = {"n": "pageview", "u": f"{base}/en/", "p": 3, "t": "routes.routepage", "l": "en"}
    elif kind == 1:
        body = {"n": "outbound", "u": f"{base}/en/routes/x/", "p": 3, "d": {"href": "https://www.jreast.co.jp/en/"}}
    else:
        body = {"n": "engagement", "u": f"{base}/en/spots/y/", "p": 4, "l": "ja", "d": {"ms": 12000, "scroll": 60}}
    return json.dumps(body).encode()


class Sender(threading.Thread):
    """Posts one event per request, each from its own client address (so no visitor nears the rate limit)."""

    def __init__(self, port: int, first: int):
        super().__init__(daemon=True)
        self.port, self.i, self.answers, self.halt = port, first, [], threading.Event()

    def run(self) -> None:
        base = f"http://127.0.0.1:{self.port}"
        while not self.halt.is_set():
            self.i += 1
            headers = {
                "Content-Type": "text/plain",
                "User-Agent": BROWSER_UA,
                "Accept-Language": "zh-TW,zh;q=0.9,en;q=0.8",
                "X-Forwarded-For": f"10.{self.i >> 16 & 255}.{self.i >> 8 & 255}.{self.i & 255}",
            }
            sent = time.monotonic()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("POST", "/api/events", event_body(self.i, base), headers)
                response = conn.getresponse()
                payload = response.read()
                conn.close()
                counted = response.status == 202 and json.loads(payload).get("counted") is True
                self.answers.append(Answer(sent, time.monotonic(), response.status, counted, payload[:200].decode()))
            except (OSError, http.client.HTTPException) as error:
                self.answers.append(Answer(sent, time.monotonic(), 0, False, repr(error)))


def worker_pids(master: int) -> set[int]:
    pids = set()
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.add(int(Path(stat).parent.name))
    return pids


def served_by(access_log: Path) -> dict[int, int]:
    """Requests answered 202 per worker pid, from gunicorn's access log (pid and status only: no addresses)."""
    counts: dict[int, int] = {}
    for line in access_log.read_text().splitlines():
        pid, _, status = line.partition(" ")
        if status.strip() == "202":
            counts[int(pid.strip("<>"))] = counts.get(int(pid.strip("<>")), 0) + 1
    return counts


def wait_for(condition, seconds: float, what: str, senders: list[Sender] = ()) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            failed = [answer for sender in senders for answer in sender.answers if not 200 <= answer.status < 300]
            raise AssertionError(f"timed out waiting for {what}; {len(failed)} answers not 2xx, e.g. {failed[-2:]}")
        time.sleep(0.05)


def test_events_answered_while_postgresql_is_down_are_all_stored(private_postgres, tmp_path):
    import redis

    pg = private_postgres
    redis_client = redis.Redis.from_url(redis_url(REDIS_DB))
    redis_client.flushdb()
    env = server_env(
        tmp_path / "var",
        DJANGO_SETTINGS_MODULE="visitaizu.settings.test",
        DATABASE_URL=pg.url,
        DATABASE_CONN_MAX_AGE="60",  # as in production: workers hold connections that the outage breaks
        REDIS_URL=redis_url(REDIS_DB),
        CELERY_BROKER_URL=redis_url(REDIS_DB),
        ANALYTICS_BUFFER="redis",
        CLIENT_IP_HEADER="X-Forwarded-For",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    migrated = subprocess.run(
        manage + ["migrate", "--noinput", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr

    port = free_port()
    access_log, error_log, drain_log = tmp_path / "access.log", tmp_path / "gunicorn.log", tmp_path / "drain.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "visitaizu.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s",
         "--error-logfile", str(error_log), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    with drain_log.open("w") as drain_out:
        drainer = subprocess.Popen(
            manage + ["drain_events", "--loop", "--interval", "0.5"],
            cwd=ROOT, env=env, stdout=drain_out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    senders = [Sender(port, first=n * 1_000_000) for n in range(2)]
    try:

        def up() -> bool:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/robots.txt")
                return conn.getresponse().status == 200
            except OSError:
                assert server.poll() is None, error_log.read_text()
                return False

        wait_for(up, 60, "gunicorn to answer")
        for sender in senders:
            sender.start()
        # Both workers have served events (and so read the site and page types) before the database goes.
        old_workers = worker_pids(server.pid)
        assert len(old_workers) == 2
        wait_for(lambda: set(served_by(access_log)) >= old_workers, 30, "both workers to serve events", senders)
        time.sleep(1)

        pg.stop("fast")
        down_at = time.monotonic()
        # A long outage outlives the shared cache of the goal list (5 minutes): expire it now.
        for key in redis_client.keys("*:analytics:goal-domains"):
            redis_client.delete(key)
        time.sleep(1.5)
        # A restart of every worker during the outage: the new ones never saw the database.
        server.send_signal(signal.SIGHUP)
        wait_for(lambda: len(worker_pids(server.pid) - old_workers) == 2, 30, "new workers")
        new_workers = worker_pids(server.pid) - old_workers
        wait_for(
            lambda: all(served_by(access_log).get(pid, 0) >= 10 for pid in new_workers),
            30,
            "the new workers to serve events without the database",
            senders,
        )
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_at)))
        assert not pg.running()
        up_at = time.monotonic()
        pg.start()
        time.sleep(2)
    finally:
        for sender in senders:
            sender.halt.set()
        for sender in senders:
            sender.join(timeout=60)
        drainer.send_signal(signal.SIGINT)  # may land mid-batch: the final drain must still write it once
        server.terminate()
        for process in (drainer, server):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    answers = [answer for sender in senders for answer in sender.answers]
    failed = [answer for answer in answers if not 200 <= answer.status < 300]
    assert not failed, f"{len(failed)} of {len(answers)} not 2xx, e.g. {failed[:3]}\n{error_log.read_text()[-3000:]}"
    during_outage = [answer for answer in answers if down_at <= answer.sent and answer.done <= up_at]
    assert len(during_outage) >= 50, f"only {len(during_outage)} events arrived while PostgreSQL was down"
    counted = sum(answer.counted for answer in answers)
    assert counted == len(answers), "every event came from a browser under the rate limit"
    assert "Database unavailable" in drain_log.read_text(), "the drain loop should have met the outage"

    drained = subprocess.run(manage + ["drain_events"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert drained.returncode == 0, drained.stderr
    assert drained.stdout.strip().endswith("0 waiting."), drained.stdout
    assert redis_client.llen("visitaizu:analytics:queue") == 0
    assert redis_client.scard("visitaizu:analytics:pending") == 0
    with pg.connect() as conn:
        rows, visitors = conn.execute("SELECT count(*), count(DISTINCT visitor) FROM analytics_rawevent").fetchone()
    print(f"\n{len(answers)} events answered 202, {len(during_outage)} during the {up_at - down_at:.1f} s outage; "
          f"{rows} rows stored")  # fmt: skip
    assert rows == counted, f"{counted} events answered 202 counted, {rows} rows stored"
    assert visitors == rows, "each event came from its own address: a duplicate row would share a visitor"
    redis_client.flushdb()
