"""How fast route pages are served, as ratios of a hello-world Django view on the same gunicorn, in one run.

    .venv/bin/python bench/pages.py [--seconds 8] [--rounds 3] [--workers 2]

Uses wrk (Debian package `wrk`) on loopback. The database is a fresh SQLite file with the demo content unless
DATABASE_URL names another (an empty one: it is migrated and given the demo content); REDIS_URL, if set, is the
cache, else each worker has its own local-memory cache. Ends with one JSON line.

"Uncached" requests carry a query string, so the whole-page cache never answers them (checked: no X-Page-Cache
header); every one renders the page from the database: routing, the page row with its picture and area, its stops
and their spots. What stays warm, as on a live site between two publishes, is what every page shares, kept under
the page cache's generation (visitaizu.page_cache.shared_value): the site and its home page for routing, the
header menu, the footer with the consent dialog, the active alerts, each language's site root paths and route-card
table (the related routes' cards and ranking); plus the consent notice and image renditions, which have caches of
their own.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.demo_server import demo_server  # noqa: E402

ROUTE = "/en/routes/aizu-in-two-days/"


def server_cpu_seconds(base_url: str) -> float:
    """User + system CPU time so far of the gunicorn processes listening at `base_url` (Linux /proc)."""
    bind = base_url.removeprefix("http://")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if b"gunicorn" in command and bind.encode() in command:
            total += int(stat[11]) + int(stat[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def requests_per_second(url: str, seconds: int, connections: int = 8) -> tuple[float, int]:
    """Requests per second and the number of requests answered."""
    output = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rate, int(re.search(r"(\d+) requests in", output).group(1))


def query_counts(var_dir: Path) -> dict[int, int]:
    """SQL queries to render a route of 5 and of 20 stops (synthetic routes added to the bench database)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "VISITAIZU_VAR_DIR": str(var_dir),
            "MEDIA_ROOT": str(var_dir / "media"),
        }
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from routes.models import RouteIndexPage, RoutePage, RouteStop, SpotPage

    index = RouteIndexPage.objects.get()
    spots = list(SpotPage.objects.live())
    client = Client()
    counts = {}
    for size in (5, 20):
        route = RoutePage(title_ja=f"[synthetic] {size}", title_en=f"[synthetic] {size} stops", slug_ja=f"bench-{size}")
        route.stops = [
            RouteStop(
                spot=spots[i % len(spots)], stay_minutes=30, transfer_mode="walk" if i < size - 1 else "", sort_order=i
            )
            for i in range(size)
        ]
        index.add_child(instance=route)
        route.save_revision().publish()
        with translation.override("en"):
            url = route.get_url()
        client.get(url, {"warm": 1})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"uncached": 1}).status_code == 200
        counts[size] = len(queries)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        with demo_server(
            var_dir,
            workers=args.workers,
            DJANGO_SETTINGS_MODULE="bench.settings",
            DATABASE_URL=os.environ.get("DATABASE_URL", ""),
            REDIS_URL=os.environ.get("REDIS_URL", ""),
        ) as base:
            targets = {
                "hello": base + "/bench/hello/",
                "cached": base + ROUTE,
                "uncached": base + ROUTE + "?uncached=1",
            }
            for url in targets.values():  # warm up: the cache, imports, connections
                requests_per_second(url, 2)
            if "X-Page-Cache" in urllib.request.urlopen(targets["uncached"]).headers:
                raise RuntimeError("the uncached route page was answered by the page cache")
            rates = {name: [] for name in targets}
            cpu_seconds, answered = dict.fromkeys(targets, 0.0), dict.fromkeys(targets, 0)
            for _round in range(args.rounds):  # interleaved, so machine noise hits every target alike
                for name, url in targets.items():
                    before = server_cpu_seconds(base)
                    rate, count = requests_per_second(url, args.seconds)
                    cpu_seconds[name] += server_cpu_seconds(base) - before
                    rates[name].append(rate)
                    answered[name] += count
            load_after = os.getloadavg()[0]
        counts = query_counts(var_dir)

    median = {name: statistics.median(values) for name, values in rates.items()}
    figures = {
        "hello_rps": round(median["hello"], 1),
        "cached_route_rps": round(median["cached"], 1),
        "uncached_route_rps": round(median["uncached"], 1),
        "cached_ratio": round(median["cached"] / median["hello"], 3),
        "uncached_ratio": round(median["uncached"] / median["hello"], 4),
        "queries_5_stops": counts[5],
        "queries_20_stops": counts[20],
        "database": os.environ.get("DATABASE_URL", "").split(":")[0] or "sqlite",
        "cache": "redis" if os.environ.get("REDIS_URL") else "locmem",
        "workers": args.workers,
        # Not goals: the server's CPU time per request, which other work on the machine changes far less than
        # requests/s (a busy machine takes more from the workers of a slow page than from hello-world's).
        **{f"{name}_cpu_ms_per_request": round(1000 * cpu_seconds[name] / answered[name], 2) for name in targets},
        "load_average_1m": [round(load_before, 2), round(load_after, 2)],
    }
    goals = {
        "cached_ratio_ge_0.8": figures["cached_ratio"] >= 0.8,
        "uncached_ratio_ge_0.055": figures["uncached_ratio"] >= 0.055,
        "queries_equal_and_le_15": counts[5] == counts[20] <= 15,
    }
    for name, values in rates.items():
        print(f"{name:>9}: " + ", ".join(f"{value:.0f}" for value in values) + " requests/s")
    print(json.dumps({"bench": "pages", "figures": figures, "goals": goals, "met": all(goals.values())}))


if __name__ == "__main__":
    main()
