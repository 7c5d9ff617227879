"""The whole weekly report on PostgreSQL with 10 M raw events behind the rollups: queries, charts, HTML, email
(PNG charts), PDF, CSV zip and XLSX, timed stage by stage, beside the same report over 1 M raw events.

    .venv/bin/python bench/report.py [--runs 3] [--keep] [--reuse]
        [--postgres postgres://visitaizu:visitaizu@127.0.0.1:5432/]

Two temporary databases on that server (`visitaizu_bench_report_1m` and `_10m`, dropped at the end unless
--keep; --reuse measures databases kept by an earlier --keep run) are migrated and filled with synthetic raw
events by bench/rollups.py's generator (imported, not copied: 110,000 events on the measured day, the rest on
the days before it, 1 % of visitors marked synthetic), and every day is rolled up with `analytics.rollups`, as the
nightly job does. The report is the ISO week that ends on the measured day (the last Sunday, Asia/Tokyo), real
visitors, in Japanese and in English.

Timed per language, alternating between the databases (order swapped every round), medians of --runs rounds:
`build_weekly_report` (every query), the SVG charts, the HTML document, the email's PNG charts and HTML, the
PDF, the CSV zip and the XLSX workbook. Wall time decides the goal (the whole report of one language within
10 s on 10 M events); CPU time (this process plus its PostgreSQL backend) is printed beside it, and the growth
10 M / 1 M is the median of the ratios of runs made side by side. Ends with one JSON line.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from bench import rollups as generator  # noqa: E402  (bench/rollups.py: the raw-event generator and helpers)

SCENARIOS = generator.SCENARIOS  # {"1m": 1_000_000, "10m": 10_000_000}
LANGUAGES = ("ja", "en")
GOAL_TOTAL_S = 10.0
STAGES = ("queries", "charts", "html", "email", "pdf", "csv", "xlsx")


def whole_report(iso_year: int, iso_week: int, language: str) -> tuple[dict[str, float], dict[str, int]]:
    """Every form of one language's report, built from scratch: (wall seconds per stage, output sizes)."""
    from reports import documents
    from reports.presentation import report_charts
    from reports.weekly import build_weekly_report

    seconds, sizes = {}, {}

    def stage(name, make):
        started = time.perf_counter()
        result = make()
        seconds[name] = time.perf_counter() - started
        return result

    report = stage("queries", lambda: build_weekly_report(iso_year, iso_week, language))
    charts = stage("charts", lambda: report_charts(report))
    sizes["html"] = len(stage("html", lambda: documents.render_html(report)))
    html, text, images = stage("email", lambda: documents.email_parts(report))
    sizes["email"] = len(html) + len(text) + sum(map(len, images.values()))
    sizes["pdf"] = len(stage("pdf", lambda: documents.render_pdf(report)))
    sizes["csv"] = len(stage("csv", lambda: documents.csv_zip(report)))
    sizes["xlsx"] = len(stage("xlsx", lambda: documents.xlsx(report)))
    sizes["charts"] = len(charts)
    sizes["markets"] = len(report.markets)
    sizes["no_data"] = int(report.no_data)
    return seconds, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgres://visitaizu:visitaizu@127.0.0.1:5432/")
    parser.add_argument("--database", default="visitaizu_bench_report", help="prefix of the two database names")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="do not drop the databases at the end")
    parser.add_argument("--reuse", action="store_true", help="use databases loaded by an earlier --keep run")
    args = parser.parse_args()

    databases = {key: f"{args.database}_{key}" for key in SCENARIOS}
    os.chdir(ROOT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = generator.server_url(args.postgres, databases["1m"])
    import django

    django.setup()
    import datetime as dt

    from django.db import connection

    from analytics.anonymous_ids import tokyo_day

    today = tokyo_day()
    measured_day = today - dt.timedelta(days=today.isoweekday() % 7 or 7)  # the last Sunday before today
    iso = measured_day.isocalendar()
    print(f"Report of {iso.year}-W{iso.week:02d} (ending {measured_day}); PostgreSQL at {args.postgres}", flush=True)

    raw = {}
    for key, total in SCENARIOS.items():
        name = databases[key]
        if args.reuse and generator.database_exists(args.postgres, name):
            generator.use(name)
            raw[key] = generator.raw_events()
            print(f"{key}: reusing {name} ({raw[key]:,} raw events)", flush=True)
            continue
        connection.close()
        generator.admin(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        generator.admin(args.postgres, f"CREATE DATABASE {name}")
        generator.use(name)
        print(f"{key}: loading {total:,} synthetic raw events into {name}…", flush=True)
        load_s, days = generator.load(total, measured_day)
        rollup_s, rolled = generator.roll_up_all()
        raw[key] = generator.raw_events()
        print(f"{key}: {raw[key]:,} raw events over {days} days in {load_s:.0f} s; {rolled} days rolled up in "
              f"{rollup_s:.0f} s", flush=True)  # fmt: skip

    from analytics.models import DailyRollup

    rollup_rows = {}
    for key, name in databases.items():
        generator.use(name)
        rollup_rows[key] = DailyRollup.objects.count()
        whole_report(iso.year, iso.week, "en")  # warm-up (imports, fonts, caches), untimed

    timings = {(key, language): [] for key in databases for language in LANGUAGES}
    cpu = {(key, language): [] for key in databases for language in LANGUAGES}
    sizes = {}
    keys = list(databases)
    for round_number in range(args.runs):
        for key in keys if round_number % 2 == 0 else reversed(keys):
            generator.use(databases[key])
            for language in LANGUAGES:
                with generator.Clock() as clock:
                    seconds, sizes[(key, language)] = whole_report(iso.year, iso.week, language)
                timings[(key, language)].append(seconds)
                if clock.cpu is not None:
                    cpu[(key, language)].append(clock.cpu)

    def total(run: dict) -> float:
        return sum(run.values())

    print(f"\nWhole report, {args.runs} runs each, median wall s per stage (CPU s of the whole, process + backend):")
    print(f"  {'':>10}" + "".join(f"{stage:>9}" for stage in STAGES) + f"{'total':>9}{'CPU':>8}")
    medians = {}
    for (key, language), runs in timings.items():
        stage_medians = {stage: statistics.median(run[stage] for run in runs) for stage in STAGES}
        medians[(key, language)] = statistics.median(total(run) for run in runs)
        used = statistics.median(cpu[(key, language)]) if cpu[(key, language)] else None
        print(
            f"  {key:>4} {language:>5}" + "".join(f"{stage_medians[stage]:>9.3f}" for stage in STAGES)
            + f"{medians[(key, language)]:>9.3f}" + (f"{used:>8.2f}" if used is not None else "")
        )  # fmt: skip
    growth = {
        language: statistics.median(
            total(large) / total(small)
            for small, large in zip(timings[("1m", language)], timings[("10m", language)], strict=True)
        )
        for language in LANGUAGES
    }
    outputs = sizes[("10m", "ja")]
    load_average = [round(value, 1) for value in os.getloadavg()]
    print(
        f"Output sizes (10m, ja): PDF {outputs['pdf']:,} B, XLSX {outputs['xlsx']:,} B, CSV zip {outputs['csv']:,} B, "
        f"email {outputs['email']:,} B, {outputs['charts']} charts, {outputs['markets']} markets.\n"
        f"Growth with tenfold raw events (median of side-by-side ratios): "
        + ", ".join(f"{language} ×{value:.2f}" for language, value in growth.items())
        + f". Load average at the end: {', '.join(map(str, load_average))}"
    )

    goals = {
        f"whole_report_10m_{language}_s_le_10": medians[("10m", language)] <= GOAL_TOTAL_S for language in LANGUAGES
    }
    figures = {
        "database": "postgresql",
        "week": f"{iso.year}-W{iso.week:02d}",
        "raw_events_1m": raw["1m"],
        "raw_events_10m": raw["10m"],
        "rollup_rows_1m": rollup_rows["1m"],
        "rollup_rows_10m": rollup_rows["10m"],
        **{f"whole_report_{key}_{language}_s": round(value, 3) for (key, language), value in medians.items()},
        **{
            f"{stage}_10m_{language}_s": round(statistics.median(run[stage] for run in timings[("10m", language)]), 3)
            for language in LANGUAGES
            for stage in STAGES
        },
        **{
            f"whole_report_cpu_10m_{language}_s": round(statistics.median(cpu[("10m", language)]), 3)
            for language in LANGUAGES
            if cpu[("10m", language)]
        },
        **{f"growth_{language}": round(value, 3) for language, value in growth.items()},
        "pdf_bytes_10m_ja": outputs["pdf"],
        "runs": args.runs,
        "load_average": load_average,
    }
    connection.close()
    if not args.keep:
        for name in databases.values():
            generator.admin(args.postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    print(json.dumps({"bench": "report", "figures": figures, "goals": goals, "met": all(goals.values())}))


if __name__ == "__main__":
    main()
