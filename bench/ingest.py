"""How fast the tracker endpoint keeps events, as a ratio of a hello-world Django view on the same gunicorn, in one run.

    .venv/bin/python bench/ingest.py [--seconds 10] [--hello-seconds 5] [--rounds 6] [--workers 2]

Drives the real endpoint, POST /api/events, one event per request, with wrk (Debian package `wrk`) on loopback:
gunicorn with bench.settings, PostgreSQL (a fresh database on the server of --postgres, dropped at the end),
the Redis buffer (db 10 of REDIS_URL's server, or of 127.0.0.1:6379), and `manage.py drain_events --loop`
running beside it every 5 s as in production. Hello and ingest rounds are interleaved (6 × 5 s and 6 × 10 s: 60 s
of ingest; short rounds, so bursts of other work on the machine hit both alike); figures are medians. Every event
comes from its own client address (X-Forwarded-For) with an ordinary browser user agent, so none is dropped
as a bot or rate-limited. After the last round the buffer is drained and lost = accepted − rows stored.
Ends with one JSON line.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.demo_server import server_env, start_gunicorn  # noqa: E402

DATABASE = "visitaizu_bench_ingest"
REDIS_DB = 10  # the test suite uses db 0, tests/test_event_durability.py db 9
QUEUE, PENDING, LOCK = "visitaizu:analytics:queue", "visitaizu:analytics:pending", "visitaizu:analytics:drain-lock"

# One wrk script for both targets, so both pay the same Lua costs: it counts statuses and "counted": true
# answers, and prints one line of JSON when done.
WRK_SCRIPT = r"""
local mode, round, counter = "ingest", 0, 0
counted, statuses = 0, {}  -- globals: done() reads them from each thread
local threads = {}
local agents = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) " ..
    "Version/17.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) " ..
    "Chrome/131.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) " ..
    "Version/17.6 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
}
local languages = {"zh-TW,zh;q=0.9,en;q=0.8", "en-US,en;q=0.9", "ko-KR,ko;q=0.9", "th-TH,th;q=0.9", "ja,en;q=0.5"}
local bodies = {
  '{"n":"pageview","u":"BASE/en/routes/aizu-in-two-days/","r":"https://www.google.com/","p":12,"t":"routes.routepage","l":"en"}',
  '{"n":"engagement","u":"BASE/zh-hant/spots/tsuruga-castle/","p":7,"t":"routes.spotpage","l":"zh-hant","d":{"ms":48000,"scroll":75}}',
  '{"n":"pageview","u":"BASE/ko/?utm_source=instagram&utm_medium=social&utm_campaign=autumn","p":3,"t":"content.homepage","l":"ko"}',
  '{"n":"outbound","u":"BASE/th/routes/aizu-in-two-days/","p":12,"t":"routes.routepage","l":"th","d":{"href":"https://www.jreast.co.jp/multi/en/"}}',
}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  mode, round = args[1], tonumber(args[2])
  for i, body in ipairs(bodies) do bodies[i] = body:gsub("BASE", args[3]) end
end

function request()
  counter = counter + 1
  local agent = agents[counter % #agents + 1]
  if mode == "hello" then
    return wrk.format("GET", "/bench/hello/", {["User-Agent"] = agent})
  end
  local address = string.format("%d.%d.%d.%d", 11 + round, math.floor(counter / 65536) % 256,
                                math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("POST", "/api/events", {
    ["User-Agent"] = agent, ["X-Forwarded-For"] = address, ["Content-Type"] = "text/plain",
    ["Accept-Language"] = languages[counter % #languages + 1],
  }, bodies[counter % #bodies + 1])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 202 and string.find(body, '"counted": true', 1, true) then counted = counted + 1 end
end

function done(summary, latency, requests)
  local total, by_status = 0, {}
  for _, thread in ipairs(threads) do
    total = total + thread:get("counted")
    for status, n in pairs(thread:get("statuses")) do by_status[status] = (by_status[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(by_status) do table.insert(parts, string.format('"%d": %d', status, n)) end
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "counted": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "statuses": {%s}}\n', summary.requests, summary.duration, total,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout,
    table.concat(parts, ", ")))
end
"""


def run_wrk(script: Path, base: str, mode: str, round_number: int, seconds: int, connections: int) -> dict:
    url = base + ("/bench/hello/" if mode == "hello" else "/api/events")
    output = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "-s", str(script), url,
         "--", mode, str(round_number), base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    result = json.loads(line[4:])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["counted_per_s"] = result["counted"] / (result["duration_us"] / 1e6)
    result["non_2xx"] = sum(n for status, n in result["statuses"].items() if not 200 <= int(status) < 300)
    return result


PARTITIONS_SIZE = (
    "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
    "WHERE inhparent = 'analytics_rawevent'::regclass"
)


def start_server(env: dict, workers: int, access_log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn; its access log holds each answer's status only (no addresses), to count what the server accepted."""
    return start_gunicorn(env, workers, ready_path="/bench/hello/", access_log=str(access_log), access_format="%(s)s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="length of each ingest round")
    parser.add_argument("--hello-seconds", type=int, default=5, help="length of each hello-world round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--postgres", default="postgres://visitaizu:visitaizu@127.0.0.1:5432/postgres",
        help="a database on the PostgreSQL server to use, as a role that may create databases",
    )  # fmt: skip
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    import psycopg
    import redis

    server_url = urlsplit(args.postgres)
    database_url = urlunsplit(server_url._replace(path=f"/{DATABASE}"))
    redis_server = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    redis_url = urlunsplit(redis_server._replace(path=f"/{REDIS_DB}"))
    redis_client = redis.Redis.from_url(redis_url)
    redis_client.flushdb()
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")

    server = drainer = None
    with tempfile.TemporaryDirectory() as tmp:
        env = server_env(
            Path(tmp),
            DJANGO_SETTINGS_MODULE="bench.settings",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CELERY_BROKER_URL=redis_url,
            ANALYTICS_BUFFER="redis",
            CLIENT_IP_HEADER="X-Forwarded-For",
        )
        manage = [sys.executable, str(ROOT / "manage.py")]
        try:
            subprocess.run(manage + ["migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True)
            with psycopg.connect(database_url, autocommit=True) as conn:  # the empty partitions and their indexes
                size_before = int(conn.execute(PARTITIONS_SIZE).fetchone()[0])
            script = Path(tmp) / "bench.lua"
            script.write_text(WRK_SCRIPT)
            access_log = Path(tmp) / "access.log"
            server, base = start_server(env, args.workers, access_log)
            # Every 5 s, as the Celery beat schedule runs it in production (ANALYTICS_DRAIN_SECONDS).
            drainer = subprocess.Popen(
                manage + ["drain_events", "--loop", "--interval", "5"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
            )
            for mode in ("hello", "ingest"):  # warm up: imports, connections, caches of user agents
                run_wrk(script, base, mode, 0, 2, args.connections)
            rounds = {"hello": [], "ingest": []}
            for number in range(1, args.rounds + 1):  # interleaved, so machine noise hits both alike
                rounds["hello"].append(run_wrk(script, base, "hello", number, args.hello_seconds, args.connections))
                rounds["ingest"].append(run_wrk(script, base, "ingest", number, args.seconds, args.connections))

            # Wait for the drain running beside the server to catch up, as it would after a burst.
            finished = time.monotonic()
            while redis_client.llen(QUEUE) or redis_client.scard(PENDING):
                if drainer.poll() is not None or time.monotonic() - finished > 300:
                    raise RuntimeError("the drain did not finish")
                time.sleep(0.2)
            drain_lag = time.monotonic() - finished

            # Redis memory per waiting record, for sizing the buffer: a short round with the drain stopped.
            stop(drainer)
            redis_client.delete(LOCK)  # in case it was stopped inside a drain; no other drain uses this db
            run_wrk(script, base, "ingest", args.rounds + 1, 3, args.connections)
            waiting = redis_client.llen(QUEUE)
            redis_bytes = redis_client.memory_usage(QUEUE, samples=0) / waiting
            subprocess.run(manage + ["drain_events"], cwd=ROOT, env=env, check=True, capture_output=True)

            stop(server)
            # Events the server answered 202 {"counted": true}: wrk gives up the requests in flight when its time
            # is over, yet the server answered (and kept) them, so they are counted on the server's side.
            accepted = access_log.read_text().split().count("202")
            with psycopg.connect(database_url, autocommit=True) as conn:
                stored = conn.execute("SELECT count(*) FROM analytics_rawevent").fetchone()[0]
                conn.execute("VACUUM ANALYZE analytics_rawevent")
                # Growth of all partitions (heap, TOAST, indexes, free-space maps) over the rows stored.
                pg_bytes = int(conn.execute(PARTITIONS_SIZE).fetchone()[0]) - size_before
        finally:
            for process in (drainer, server):
                if process is not None:
                    stop(process)
            redis_client.flushdb()
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    hello_rps = statistics.median(r["rps"] for r in rounds["hello"])
    accepted_eps = statistics.median(r["counted_per_s"] for r in rounds["ingest"])
    p99_ms = statistics.median(r["p99_us"] for r in rounds["ingest"]) / 1000
    figures = {
        "hello_rps": round(hello_rps, 1),
        "accepted_events_per_s": round(accepted_eps, 1),
        "ratio": round(accepted_eps / hello_rps, 3),
        "p50_ms": round(statistics.median(r["p50_us"] for r in rounds["ingest"]) / 1000, 1),
        "p99_ms": round(p99_ms, 1),
        "p99_ms_worst_round": round(max(r["p99_us"] for r in rounds["ingest"]) / 1000, 1),
        "hello_p99_ms": round(statistics.median(r["p99_us"] for r in rounds["hello"]) / 1000, 1),
        "non_2xx": sum(r["non_2xx"] for r in rounds["ingest"]),
        "uncounted_202": sum(r["statuses"].get("202", 0) - r["counted"] for r in rounds["ingest"]),
        "socket_errors": sum(r["socket_errors"] for r in rounds["ingest"]),
        "accepted": accepted,
        "stored": stored,
        "lost": accepted - stored,
        "drain_lag_s": round(drain_lag, 1),
        "pg_bytes_per_event": round(pg_bytes / stored, 1),
        "redis_bytes_per_waiting_event": round(redis_bytes, 1),
        "redis_mb_for_10_min_at_this_rate": round(redis_bytes * accepted_eps * 600 / 1e6, 1),
        "workers": args.workers,
        "connections": args.connections,
    }
    goals = {
        "ratio_ge_0.5": figures["ratio"] >= 0.5,
        "p99_le_150ms": figures["p99_ms"] <= 150,
        "lost_eq_0": figures["lost"] == 0 and figures["uncounted_202"] == 0,
    }
    for name, values in rounds.items():
        print(f"{name:>7}: " + ", ".join(f"{r['rps']:.0f}" for r in values) + " requests/s, p99 "
              + ", ".join(f"{r['p99_us'] / 1000:.0f}" for r in values) + " ms")  # fmt: skip
    print(f"accepted {accepted} events, stored {stored}, lost {accepted - stored}; drained {drain_lag:.1f} s after")
    print(f"{figures['pg_bytes_per_event']} bytes per event in PostgreSQL, {figures['redis_bytes_per_waiting_event']} "
          f"in Redis while waiting")  # fmt: skip
    print(json.dumps({"bench": "ingest", "figures": figures, "goals": goals, "met": all(goals.values())}))


if __name__ == "__main__":
    main()
