"""The route recommender: serving speed and training cost in one run; and (`quality`) its evaluation table.

    .venv/bin/python bench/recommend.py [--routes 1000] [--interactions 1000000] [--calls 5000]
        [--seconds 8] [--rounds 3] [--workers 2] [--training-rounds 1] [--keep DIR]
    .venv/bin/python bench/recommend.py quality [--routes 200] [--visitors 30000] [--days 90] [--seed 2]
        [--until YYYY-MM-DD] [--keep DIR [--reuse-visitors]]
    .venv/bin/python bench/recommend.py tune --keep DIR --until YYYY-MM-DD [--first N]

Everything runs in a fresh SQLite database in a temporary folder (the demo content loaded as `bin/start` does),
with `bench.settings` (DEBUG off, local-memory cache). Routes added to it are titled "[synthetic] route N" and
have random themes, areas, best months, durations, party fit, prices and stops at demo spots. Nothing here
touches the development database.

The speed bench, measured side by side in one run:
- serving in-process: `routes.recommender.serving.recommend(visitor, k=10)` for one anonymous visitor (Taiwan,
  zh-hant, phone) over 1,000 live routes with the trained model loaded; p50 / p99 of --calls calls (goal: p99
  <= 1 ms). A consented visitor with interests is timed as well (for reference).
- serving over HTTP: GET /api/recommendations (placement home, limit 4, as pages call it) on gunicorn (--workers
  sync workers) against the same database and those real pages, beside the hello-world view of bench.urls on
  the same server; wrk with one connection per worker, hello and recommendations interleaved over --rounds
  rounds, the same Lua script (which rotates a few visitors' countries, languages and browsers) for both;
  medians of each round's p50 / p99 latency; goal: both ratios <= 2.
- training: `routes.recommender.training.train()` end to end (reading the interactions from the database,
  building the matrices, fitting, evaluating against the baselines on the hold-out, saving the model file and
  its record) on 1 M synthetic interactions, as a ratio of a bare `lightfm.LightFM(...).fit(...)` on the same
  matrices with the same hyperparameters, epochs and threads (goal <= 1.5), in wall time and in CPU time of this
  process (all threads; the two alternate which goes first each round). The interactions are written
  straight into the tables (raw page views and engagement, consented profiles and their history; marked
  synthetic), shaped by the synthetic-traffic markets' theme preferences, over the 90 days before today.

`quality` builds the catalogue the evaluation in bench/RECOMMENDER.md runs on (the demo routes plus --routes
synthetic ones), runs `manage.py simulate_visitors` over it, trains, and prints the evaluation table by group and
market: precision, recall and NDCG at 5 and coverage, for the hybrid and the baselines. `tune` tries the TUNING
candidates on the validation week before the test hold-out, in the database `quality --keep` left.
Each ends with one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from tests.demo_server import prepare_demo_database, server_env, start_gunicorn  # noqa: E402

GOAL_SERVE_P99_MS, GOAL_HTTP_RATIO, GOAL_TRAIN_RATIO = 1.0, 2.0, 1.5
SEASONAL = {"snow": (12, 1, 2, 3), "autumn-leaves": (9, 10, 11), "cherry-blossoms": (3, 4, 5)}


# --- The database ---------------------------------------------------------------------------------------------


def open_database(keep: str | None) -> tuple[Path, dict[str, str], bool]:
    """A folder with a migrated SQLite database holding the demo content; Django set up on it in this process.

    With --keep DIR the folder is DIR and survives the run; a database found there is reused as it is.
    """
    if os.environ.get("DATABASE_URL"):
        sys.exit("This bench makes its own SQLite database: unset DATABASE_URL.")
    var_dir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="visitaizu-bench-recommend-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_env(var_dir, DJANGO_SETTINGS_MODULE="bench.settings")
    reused = (var_dir / "visitaizu.sqlite3").exists()
    if not reused:
        started = time.perf_counter()
        prepare_demo_database(env)
        print(f"Demo database ready in {time.perf_counter() - started:.0f} s ({var_dir})", flush=True)
    for name in ("DJANGO_SETTINGS_MODULE", "VISITAIZU_VAR_DIR", "MEDIA_ROOT", "DATABASE_URL"):
        os.environ[name] = env[name]
    os.chdir(ROOT)
    import django

    django.setup()
    return var_dir, env, reused


def add_synthetic_routes(total: int, seed: int, published_sample: int = 0) -> dict:
    """Add "[synthetic] route N" pages under the route index until `total` routes are live.

    Every page is a real, live RoutePage child of the route index with stops, themes and an illustration, made
    with treebeard's add_child. Only Wagtail-modeltranslation's slug check (it loads every sibling on each save:
    quadratic over a thousand siblings; these slugs are unique by construction) and the reference index are
    skipped. The first `published_sample` go through the full editorial path (validation, revision, publish)
    instead, to measure what that costs per page.
    """
    from django.conf import settings
    from django.db import transaction
    from modeltranslation.utils import build_localized_fieldname
    from wagtail.signal_handlers import disable_reference_index_auto_update

    from content.models import Area, Theme
    from images.models import AizuImage
    from routes.models import RouteIndexPage, RoutePage, RouteStop, SpotPage

    missing = total - RoutePage.objects.live().count()
    if missing <= 0:
        return {"created": 0}
    rng = random.Random(f"bench-recommend-routes:{seed}")
    index = RouteIndexPage.objects.get()
    themes = {theme.key: theme for theme in Theme.objects.all()}
    theme_keys = sorted(themes)
    areas = list(Area.objects.order_by("key"))
    spots = [(spot, {t.key for t in spot.themes.all()}) for spot in SpotPage.objects.live().order_by("pk")]
    images = list(AizuImage.objects.filter(is_illustration=True).order_by("pk"))
    languages = [code for code, _name in settings.LANGUAGES]
    first = RoutePage.objects.filter(slug_ja__startswith="synthetic-route-").count() + 1
    timings = {"published": [], "fast": []}
    for number in range(first, first + missing):
        chosen = rng.sample(theme_keys, rng.choice((2, 2, 3, 3, 3, 4, 4, 5)))
        seasonal = [key for key in chosen if key in SEASONAL]
        if seasonal and rng.random() < 0.6:
            months = sorted(set(SEASONAL[seasonal[0]]))
        elif rng.random() < 0.15:
            start, length = rng.randrange(12), rng.randrange(4, 8)
            months = sorted({(start + i) % 12 + 1 for i in range(length)})
        else:
            months = list(range(1, 13))
        parties = ["solo", "couple", "family", "group"]
        if rng.random() < 0.45:
            parties = sorted(rng.sample(parties, rng.choice((2, 3))))
        if "family" in chosen and "family" not in parties:
            parties.append("family")
        multi_day = rng.random() < 0.12
        title = f"[synthetic] route {number}"
        page = RoutePage(
            **{build_localized_fieldname("title", code): title for code in languages},
            **{
                build_localized_fieldname("summary", code): f"{title}: made up for the recommender bench."
                for code in languages
            },  # fmt: skip
            **{build_localized_fieldname("slug", settings.SOURCE_LANGUAGE): f"synthetic-route-{number}"},
            duration_amount=Decimal(rng.choice((2, 3)) if multi_day else rng.choice((2, 3, 4, 5, 6, 7, 8))),
            duration_unit="days" if multi_day else "hours",
            price_level=rng.choice((None, 0, 1, 1, 2, 2, 3)),
            party_fit=parties,
            best_months=months,
            area=rng.choice(areas),
            step_free=rng.choice((None, None, True, False)),
            hero_image=rng.choice(images) if images else None,
            live=True,
        )
        page.themes = [themes[key] for key in chosen]
        near = [spot for spot, keys in spots if keys & set(chosen)] or [spot for spot, _keys in spots]
        stops = rng.sample(near, min(len(near), rng.randint(2, 6)))
        page.stops = [
            RouteStop(spot=spot, stay_minutes=rng.choice((20, 30, 45, 60, 90)), sort_order=position,
                      transfer_mode=rng.choice(("walk", "bus", "train", "car")) if position < len(stops) - 1 else "",
                      transfer_minutes=rng.choice((5, 10, 15, 25, 40)) if position < len(stops) - 1 else None)
            for position, spot in enumerate(stops)
        ]  # fmt: skip
        started = time.perf_counter()
        if number - first < published_sample:
            with transaction.atomic():
                index.add_child(instance=page)
                page.save_revision().publish()
            timings["published"].append(time.perf_counter() - started)
        else:
            page.full_clean = page.fill_empty_slugs
            with transaction.atomic(), disable_reference_index_auto_update():
                index.add_child(instance=page)
            timings["fast"].append(time.perf_counter() - started)
    seconds = sum(timings["published"]) + sum(timings["fast"])
    result = {"created": missing, "seconds": round(seconds, 1)}
    for kind, values in timings.items():
        if values:
            result[f"{kind}_ms_per_route"] = round(statistics.median(values) * 1000, 1)
    return result


# --- Quality: the evaluation table on synthetic visitors ---------------------------------------------------------

METHODS = ("hybrid", "market_popularity", "global_popularity", "market_priors")


def evaluation_table(evaluation: dict) -> str:
    """Markdown: one row per group and method, in a stable order."""
    groups = ["all", "returning", "new"] + sorted(name for name in evaluation if name.startswith("market:"))
    methods = [m for m in (*METHODS, "live_model") if any(m in evaluation.get(g, {}) for g in groups)]
    lines = ["| group | visitors | method | precision@5 | recall@5 | NDCG@5 | coverage |", "|---" * 7 + "|"]
    for group in groups:
        row = evaluation.get(group, {})
        for method in methods:
            figures = row.get(method) or {}
            if not figures:
                continue
            coverage = f"{figures['coverage']:.3f}" if "coverage" in figures else ""
            lines.append(
                f"| {group} | {row.get('visitors', 0)} | {method} | {figures['precision']:.4f} | "
                f"{figures['recall']:.4f} | {figures['ndcg']:.4f} | {coverage} |"
            )
    return "\n".join(lines)


def quality(args) -> None:
    var_dir, _env, reused = open_database(args.keep)
    from django.conf import settings
    from django.core.management import call_command

    from analytics.anonymous_ids import tokyo_day
    from routes.models import RoutePage, TrainedModel
    from routes.recommender import training

    until = args.until or tokyo_day() - dt.timedelta(days=1)
    synthetic_routes = RoutePage.objects.filter(slug_ja__startswith="synthetic-route-").count()
    if synthetic_routes < args.routes:
        made = add_synthetic_routes(RoutePage.objects.live().count() + args.routes - synthetic_routes, seed=args.seed)
        print(f"Synthetic routes: {made}", flush=True)
    if reused and args.reuse_visitors:
        print("Reusing the synthetic visitors found in", var_dir)
    else:
        started = time.perf_counter()
        call_command("simulate_visitors", visitors=args.visitors, days=args.days, seed=args.seed, until=until,
                     clear=True, verbosity=0)  # fmt: skip
        print(f"simulate_visitors: {args.visitors} people over {args.days} days until {until} "
              f"(seed {args.seed}) in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    TrainedModel.objects.all().delete()  # judge the candidate against the baselines only
    started = time.perf_counter()
    record = training.train(until=until + dt.timedelta(days=1))
    seconds = time.perf_counter() - started
    evaluation = record.metrics["evaluation"]
    print(evaluation_table(evaluation))
    params = {name: getattr(settings, name) for name in dir(settings) if name.startswith("RECOMMENDER_")}
    params.pop("RECOMMENDER_CONDITION_PROVIDERS", None)
    returning, new = evaluation["returning"], evaluation["new"]
    goals = {
        "returning_hybrid_beats_market_popularity": bool(
            returning["hybrid"]["precision"] > returning["market_popularity"]["precision"]
        ),
        "new_hybrid_matches_market_popularity": bool(
            new["hybrid"]["precision"] >= new["market_popularity"]["precision"]
        ),
    }
    figures = {
        "routes": RoutePage.objects.live().count(),
        "visitors": args.visitors, "days": args.days, "seed": args.seed, "until": until.isoformat(),
        "interactions": record.interactions, "hold_out_from": record.hold_out_from.isoformat(),
        "train_seconds": round(seconds, 1), "settings": params, "model": training.model_description(),
        "evaluation": {group: evaluation[group] for group in ("all", "returning", "new")},
    }  # fmt: skip
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps({"bench": "recommend-quality", "figures": figures, "goals": goals, "met": all(goals.values())}))


# Candidates tried on the validation week: the current choice first, then one change at a time. Each fitted
# model is judged with every HISTORY_BOOST (it only re-weights scores: no refit needed).
TUNING = (
    {},
    {"no_components": 64},
    {"epochs": 60},
    {"HISTORY_SHARE": 0.3},
    {"ITEM_IDENTITY_SHARE": 0.8},
    {"loss": "bpr"},
    # second round, around the best of the first
    {"HISTORY_SHARE": 0.15},
    {"HISTORY_SHARE": 0.3, "no_components": 64},
    {"HISTORY_SHARE": 0.3, "ITEM_IDENTITY_SHARE": 0.25},
    {"HISTORY_SHARE": 0.3, "epochs": 60},
)
HISTORY_BOOSTS = (0.0, 0.25, 0.5, 1.0, 2.0)
MODULE_OPTIONS = {"loss": "LOSS", "learning_rate": "LEARNING_RATE", "max_sampled": "MAX_SAMPLED",
                  "HISTORY_SHARE": "HISTORY_SHARE", "ITEM_IDENTITY_SHARE": "ITEM_IDENTITY_SHARE"}  # fmt: skip


def tune(args) -> None:
    """Each TUNING candidate trained on the days before the validation week and judged on that week.

    The validation week is the HOLD_OUT_DAYS before the test hold-out that `quality` reports on: the test
    hold-out is never read here (prepare() stops at the validation week's end)."""
    open_database(args.keep)
    from django.conf import settings

    from routes.recommender import training

    validation_end = args.until + dt.timedelta(days=1) - dt.timedelta(days=settings.RECOMMENDER_HOLD_OUT_DAYS)
    prepared = training.prepare(until=validation_end)
    defaults = {name: getattr(training, name) for name in (*MODULE_OPTIONS.values(), "HISTORY_BOOST")}
    base = {"epochs": settings.RECOMMENDER_EPOCHS, "no_components": settings.RECOMMENDER_COMPONENTS}
    rows = []
    for change in TUNING[args.first :]:
        chosen = {**base, **change}
        settings.RECOMMENDER_EPOCHS, settings.RECOMMENDER_COMPONENTS = chosen["epochs"], chosen["no_components"]
        for option, name in MODULE_OPTIONS.items():
            setattr(training, name, change.get(option, defaults[name]))
        started = time.perf_counter()
        matrices = training.build_matrices(prepared)
        model = training.fit(matrices.interactions, matrices.user_features, matrices.item_features,
                             settings.RECOMMENDER_EPOCHS, settings.RECOMMENDER_THREADS)  # fmt: skip
        candidate = training.artifact_from(model, matrices, prepared)
        fit_seconds = round(time.perf_counter() - started, 1)
        for boost in HISTORY_BOOSTS:
            training.HISTORY_BOOST = boost
            results = training.evaluate(
                training.scorers_for(prepared, matrices, candidate, None, candidate.popularity), prepared.split.test,
                prepared.visitors, matrices.route_ids, matrices.returning, prepared.markets,
            )  # fmt: skip
            row = {"change": change or "current", "history_boost": boost, "fit_seconds": fit_seconds}
            for group in ("all", "returning", "new"):
                row[group] = {m: results[group][m]["precision"] for m in ("hybrid", "market_popularity")}
                row[group]["visitors"] = results[group]["visitors"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    training.HISTORY_BOOST = defaults["HISTORY_BOOST"]
    print(json.dumps({"bench": "recommend-tune", "validation_from": prepared.split.hold_out_from.isoformat(),
                      "validation_until": validation_end.isoformat(), "rows": rows}))  # fmt: skip


# --- Speed: 1 M interactions ----------------------------------------------------------------------------------


def generate_interactions(target: int, until: dt.date, days: int, seed: int) -> dict:
    """About `target` (visitor, route, day) interactions, written straight into the tables, marked synthetic.

    Anonymous day visitors come from the synthetic-traffic markets (by their shares, countries, languages) and
    open 1-8 routes drawn by their market's theme preferences plus a favourite theme of their own; each view is a
    pageview and (mostly) an engagement event. About 3 % are consented profiles who come back on 2-6 days; their
    history goes to ProfileEvent too, as intake writes it.
    """
    import numpy as np
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from analytics.anonymous_ids import TOKYO
    from analytics.models import ProfileEvent, RawEvent
    from analytics.schema import EventName
    from consent.models import VisitorProfile
    from demo.synthetic_traffic import MARKETS
    from routes.recommender.features import live_routes

    if connection.vendor != "sqlite":
        raise RuntimeError("the generator writes with SQLite's executemany")
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    routes = live_routes()
    route_ids = np.array([route.pk for route in routes])
    theme_keys = sorted({theme for market in MARKETS for theme in market.themes})
    has_theme = np.array([[theme in route.themes for theme in theme_keys] for route in routes], dtype=float)
    spread = np.sqrt(np.maximum(has_theme.sum(axis=1), 1.0))
    quality = rng.normal(0.0, 0.5, len(routes))  # some routes are simply better made than others
    # (market, favourite theme) -> cumulative route distribution
    cumulative = {}
    for m, market in enumerate(MARKETS):
        weights = np.array([market.themes.get(theme, 0.0) for theme in theme_keys])
        for f in range(len(theme_keys)):
            personal = weights.copy()
            personal[f] += 1.0
            score = 1.25 * (has_theme @ personal) / spread + quality
            p = np.exp(score - score.max())
            cumulative[m, f] = np.cumsum(p / p.sum())
    shares = np.array([market.share for market in MARKETS])
    shares /= shares.sum()
    route_type = ContentType.objects.get(app_label="routes", model="routepage").pk
    first_day = until - dt.timedelta(days=days)
    day_starts = [dt.datetime.combine(first_day + dt.timedelta(days=n), dt.time(), tzinfo=TOKYO) for n in range(days)]
    adapt = connection.ops.adapt_datetimefield_value
    columns = ("at", "site", "name", "visitor", "synthetic", "page", "page_type", "path", "lang", "browser_lang",
               "fallback", "country", "device", "browser", "os", "channel", "referrer", "value", "scroll")  # fmt: skip
    insert = (f"INSERT INTO {RawEvent._meta.db_table} ({', '.join(columns)}) "
              f"VALUES ({', '.join(['%s'] * len(columns))})")  # fmt: skip
    people = [(m, c, lang) for m, market in enumerate(MARKETS) for c in market.countries for lang in c.languages]
    person_weights = np.array([MARKETS[m].share * c.weight * language[2] for m, c, language in people])
    person_weights /= person_weights.sum()

    def views(m: int, f: int, n: int) -> list[int]:
        picks = np.searchsorted(cumulative[m, f], rng.random(n))
        return list(dict.fromkeys(int(route_ids[min(i, len(route_ids) - 1)]) for i in picks))

    def visitor_of(person: int):
        m, country, (browser_lang, lang, _w) = people[person]
        favourite = int(rng.integers(len(theme_keys)))
        return m, favourite, country.code, lang, browser_lang, int(rng.choice((1, 2, 2, 2, 3)))

    rows, history, interactions, profiles = [], [], 0, []

    def view_rows(at, visitor, route, person):
        _m, _f, country, lang, browser_lang, device = person
        path = f"/{lang}/routes/synthetic-{route}/"
        common = (1, visitor, True, route, route_type, path, lang, browser_lang, False, country, device, "Chrome",
                  "Android", 1, "")  # fmt: skip
        rows.append((adapt(at), common[0], int(EventName.PAGEVIEW), *common[1:], None, None))
        if rng.random() < 0.9:
            ms = int(math.exp(math.log(55_000) + rng.normal(0, 0.8)))
            leave = at + dt.timedelta(milliseconds=ms)
            rows.append((adapt(leave), common[0], int(EventName.ENGAGEMENT), *common[1:], ms, int(rng.integers(101))))
            return leave, ms
        return at + dt.timedelta(seconds=30), None

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows)
        rows.clear()

    # Consented profiles first (3 % of the interactions), then anonymous day visitors up to the target.
    profile_target = target * 3 // 100
    profile_interactions: list[tuple[int, int, dt.datetime, int | None]] = []
    visitor_number = 0
    while interactions < profile_target:
        person = visitor_of(int(rng.choice(len(people), p=person_weights)))
        m, f = person[0], person[1]
        profile = VisitorProfile(token_hash=f"bench-{len(profiles):08d}", notice_version=1, country=person[2],
                                 language=person[3], interests=[theme_keys[f]] if rng.random() < 0.7 else [],
                                 synthetic=True)  # fmt: skip
        profiles.append(profile)
        day_numbers = sorted(set(rng.integers(0, days, int(rng.integers(2, 7))).tolist()))
        for day in day_numbers:
            visitor_number += 1
            at = day_starts[day] + dt.timedelta(seconds=int(rng.integers(0, 80_000)))
            for route in views(m, f, int(rng.integers(1, 7))):
                leave, ms = view_rows(at, visitor_number, route, person)
                profile_interactions.append((len(profiles) - 1, route, at, ms))
                at = leave + dt.timedelta(seconds=5)
                interactions += 2  # one for the day visitor, one for the profile
    VisitorProfile.objects.bulk_create(profiles, batch_size=2000)
    ids = dict(VisitorProfile.objects.filter(token_hash__startswith="bench-").values_list("token_hash", "id"))
    for number, route, at, ms in profile_interactions:
        profile_id = ids[profiles[number].token_hash]
        history.append(ProfileEvent(profile_id=profile_id, at=at, kind=ProfileEvent.Kind.VIEW, page=route))
        if ms is not None:
            history.append(ProfileEvent(profile_id=profile_id, at=at + dt.timedelta(milliseconds=ms),
                                        kind=ProfileEvent.Kind.ENGAGED, page=route, value=ms))  # fmt: skip
    ProfileEvent.objects.bulk_create(history, batch_size=5000)
    flush()
    while interactions < target:
        person = visitor_of(int(rng.choice(len(people), p=person_weights)))
        visitor_number += 1
        day = min(int(rng.triangular(0, days, days)), days - 1)  # traffic grows over the window
        at = day_starts[day] + dt.timedelta(seconds=int(rng.integers(0, 80_000)))
        for route in views(person[0], person[1], 1 + min(int(rng.geometric(0.4)), 7)):
            at = view_rows(at, visitor_number, route, person)[0] + dt.timedelta(seconds=5)
            interactions += 1
        if len(rows) >= 100_000:
            flush()
    flush()
    return {
        "interactions_written": interactions,
        "raw_events": RawEvent.objects.count(),
        "profiles": len(profiles),
        "profile_events": len(history),
        "seconds": round(time.perf_counter() - started, 1),
    }


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]


def time_training(rounds: int) -> dict:
    """train() end to end and a bare LightFM fit on the matrices train() builds, same settings, alternating which
    goes first each round; wall and CPU time (this process, all its threads: it hardly depends on other load)."""
    from django.conf import settings
    from lightfm import LightFM

    from routes.models import TrainedModel
    from routes.recommender import training

    timings: dict[str, list[tuple[float, float]]] = {"train": [], "bare": []}
    record = matrices = None

    def run_train() -> None:
        nonlocal record
        TrainedModel.objects.all().delete()  # each round deploys its own model, as the first run on a site does
        wall, cpu = time.perf_counter(), time.process_time()
        record = training.train()
        timings["train"].append((time.perf_counter() - wall, time.process_time() - cpu))
        print(f"  train(): {timings['train'][-1][0]:.1f} s, CPU {timings['train'][-1][1]:.1f} s "
              f"({record.get_status_display()}, fit {record.metrics['fit_seconds']} s)", flush=True)  # fmt: skip

    def run_bare() -> None:
        nonlocal matrices
        matrices = training.build_matrices(training.prepare())
        weights = training.sample_weights(matrices.interactions)
        wall, cpu = time.perf_counter(), time.process_time()
        model = LightFM(**training.lightfm_options())
        model.fit(
            matrices.interactions, user_features=matrices.user_features, item_features=matrices.item_features,
            sample_weight=weights, epochs=settings.RECOMMENDER_EPOCHS, num_threads=settings.RECOMMENDER_THREADS,
        )  # fmt: skip
        timings["bare"].append((time.perf_counter() - wall, time.process_time() - cpu))
        print(f"  bare LightFM fit: {timings['bare'][-1][0]:.1f} s, CPU {timings['bare'][-1][1]:.1f} s", flush=True)

    for round_ in range(rounds):
        for run in (run_train, run_bare) if round_ % 2 == 0 else (run_bare, run_train):
            run()
    total, bare = (statistics.median(wall for wall, _ in timings[name]) for name in ("train", "bare"))
    total_cpu, bare_cpu = (statistics.median(cpu for _, cpu in timings[name]) for name in ("train", "bare"))
    return {
        "record": record,
        "interactions": record.interactions,
        "user_route_pairs": int(matrices.interactions.nnz),
        "users": matrices.interactions.shape[0],
        "train_s": round(total, 1),
        "bare_fit_s": round(bare, 1),
        "train_ratio": round(total / bare, 3),
        "train_cpu_s": round(total_cpu, 1),
        "bare_fit_cpu_s": round(bare_cpu, 1),
        "train_cpu_ratio": round(total_cpu / bare_cpu, 3),
        "epochs": settings.RECOMMENDER_EPOCHS,
        "threads": settings.RECOMMENDER_THREADS,
        "model": training.model_description(),
    }


def time_serving(calls: int) -> dict:
    from routes.recommender import serving
    from routes.recommender.features import VisitorContext

    serving.loaded.forget()
    catalogue = serving.loaded.get()
    profile = max(catalogue.histories, key=lambda key: len(catalogue.histories[key]), default=None)
    visitors = {
        "anonymous": VisitorContext(country="TW", lang="zh-hant", device=2),
        # a consented profile with the longest history the model learned from, and interests of its own
        "consented": VisitorContext(
            country="FR",
            lang="en",
            device=1,
            interests=["samurai", "sake"],
            travel_month=4,
            party="couple",
            profile_key=profile,
        ),  # fmt: skip
    }
    result = {"live_routes": len(catalogue.routes), "model": catalogue.model_id,
              "consented_history_routes": len(catalogue.histories.get(profile, {}))}  # fmt: skip
    for name, visitor in visitors.items():
        for _ in range(200):  # warm up
            serving.recommend(visitor, k=10)
        samples = []
        for _ in range(calls):
            started = time.perf_counter()
            items = serving.recommend(visitor, k=10)
            samples.append((time.perf_counter() - started) * 1000)
        assert len(items) == 10, items
        p50, p99 = percentiles(samples)
        result[name] = {"p50_ms": round(p50, 4), "p99_ms": round(p99, 4)}
    return result


# One script for both targets so both pay the same Lua costs: it rotates a few visitors' headers.
WRK_SCRIPT = r"""
local visitors = {
  {"TW", "zh-TW,zh;q=0.9,en;q=0.8", "zh-hant",
   "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"},
  {"FR", "fr-FR,fr;q=0.9,en;q=0.7", "en",
   "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
  {"KR", "ko-KR,ko;q=0.9", "ko",
   "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari"},
  {"TH", "th-TH,th;q=0.9", "th",
   "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"},
  {"US", "en-US,en;q=0.9", "en",
   "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari"},
}
local mode, counter = "hello", 0
function init(args) mode = args[1] end
function request()
  counter = counter + 1
  local v = visitors[counter % #visitors + 1]
  local headers = {["CF-IPCountry"] = v[1], ["Accept-Language"] = v[2], ["User-Agent"] = v[4]}
  if mode == "hello" then return wrk.format("GET", "/bench/hello/", headers) end
  return wrk.format("GET", "/api/recommendations?placement=home&limit=4&lang=" .. v[3], headers)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d, ' ..
    '"non_2xx": %d}\n', summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def run_wrk(script: Path, base: str, mode: str, seconds: int, connections: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "-s", str(script), base, "--", mode],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result = json.loads(next(line for line in output.splitlines() if line.startswith("WRK "))[4:])
    if result["non_2xx"] or result["errors"]:
        raise RuntimeError(f"{mode}: {result}")
    return result


def start_server(env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    return start_gunicorn({**env, "RECOMMENDER_THREADS": "1"}, workers, ready_path="/bench/hello/", timeout=90)


def time_http(env: dict, workers: int, seconds: int, rounds: int) -> dict:
    server, base = start_server(env, workers)
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(WRK_SCRIPT)
        script = Path(handle.name)
        answer = json.loads(
            urllib.request.urlopen(
                urllib.request.Request(
                    base + "/api/recommendations?placement=home&limit=4&lang=en", headers={"CF-IPCountry": "US"}
                ),
                timeout=30,
            ).read()
        )
        assert len(answer["routes"]) == 4, answer
        for mode in ("hello", "recommend"):  # warm up: catalogue, renditions, connections
            run_wrk(script, base, mode, 3, workers)
        rounds_seen = {"hello": [], "recommend": []}
        for _round in range(rounds):
            for mode in rounds_seen:
                rounds_seen[mode].append(run_wrk(script, base, mode, seconds, workers))
        script.unlink()
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures: dict = {"workers": workers, "connections": workers, "example": [r["title"] for r in answer["routes"]]}
    for mode, results in rounds_seen.items():
        figures[mode] = {
            "p50_ms": round(statistics.median(r["p50_us"] for r in results) / 1000, 3),
            "p99_ms": round(statistics.median(r["p99_us"] for r in results) / 1000, 3),
            "rps": round(statistics.median(r["requests"] / r["duration_us"] * 1e6 for r in results), 1),
            "rounds_p50_ms": [round(r["p50_us"] / 1000, 2) for r in results],
        }
    figures["ratio_p50"] = round(figures["recommend"]["p50_ms"] / figures["hello"]["p50_ms"], 3)
    figures["ratio_p99"] = round(figures["recommend"]["p99_ms"] / figures["hello"]["p99_ms"], 3)
    return figures


def speed(args) -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    var_dir, env, _reused = open_database(args.keep)
    from analytics.anonymous_ids import tokyo_day
    from analytics.models import RawEvent
    from routes.models import RoutePage

    started = time.perf_counter()
    routes = add_synthetic_routes(args.routes, seed=1, published_sample=10)
    print(f"Routes: {RoutePage.objects.live().count()} live ({routes}) in {time.perf_counter() - started:.0f} s",
          flush=True)  # fmt: skip
    generated = {}
    if not RawEvent.objects.exists():
        generated = generate_interactions(args.interactions, tokyo_day(), days=90, seed=1)
        print(f"Interactions: {generated}", flush=True)
    print("Training:", flush=True)
    training_figures = time_training(args.training_rounds)
    record = training_figures.pop("record")
    print(f"Serving in-process ({args.calls} calls):", flush=True)
    serving_figures = time_serving(args.calls)
    print(f"  {serving_figures}", flush=True)
    print("Serving over HTTP:", flush=True)
    http = time_http(env, args.workers, args.seconds, args.rounds)
    print(f"  {http}", flush=True)
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    figures = {
        "database": "sqlite",
        "routes": serving_figures["live_routes"],
        "route_pages": routes,
        "generated": generated,
        "serve_p50_ms": serving_figures["anonymous"]["p50_ms"],
        "serve_p99_ms": serving_figures["anonymous"]["p99_ms"],
        "serve_consented_p50_ms": serving_figures["consented"]["p50_ms"],
        "serve_consented_p99_ms": serving_figures["consented"]["p99_ms"],
        "http_hello_p50_ms": http["hello"]["p50_ms"],
        "http_hello_p99_ms": http["hello"]["p99_ms"],
        "http_recommend_p50_ms": http["recommend"]["p50_ms"],
        "http_recommend_p99_ms": http["recommend"]["p99_ms"],
        "http_ratio_p50": http["ratio_p50"],
        "http_ratio_p99": http["ratio_p99"],
        "http_workers": args.workers,
        "load_average": [round(value, 1) for value in os.getloadavg()],
        **training_figures,
        "hybrid_precision_at_5": record.metrics["evaluation"]["all"]["hybrid"]["precision"],
    }
    goals = {
        "serve_p99_le_1ms": figures["serve_p99_ms"] <= GOAL_SERVE_P99_MS,
        "http_ratio_p50_and_p99_le_2": max(http["ratio_p50"], http["ratio_p99"]) <= GOAL_HTTP_RATIO,
        "train_ratio_le_1.5": figures["train_ratio"] <= GOAL_TRAIN_RATIO,
        "train_cpu_ratio_le_1.5": figures["train_cpu_ratio"] <= GOAL_TRAIN_RATIO,
    }
    print(json.dumps({"bench": "recommend", "figures": figures, "goals": goals, "met": all(goals.values())}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", help="use this folder for the database and keep it (reused if it has one)")
    parser.add_argument("--routes", type=int, default=1000, help="live routes in all (demo + synthetic)")
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=5000, help="in-process recommend() calls timed per visitor")
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk round")
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds per target")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--training-rounds", type=int, default=1)
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser("quality", help="the evaluation table on synthetic visitors (bench/RECOMMENDER.md)")
    check.add_argument("--keep", help="use this folder for the database and keep it (reused if it has one)")
    check.add_argument("--routes", type=int, default=200, help="synthetic routes added to the 10 demo routes")
    check.add_argument("--visitors", type=int, default=30000)
    check.add_argument("--days", type=int, default=90)
    check.add_argument("--seed", type=int, default=2)
    check.add_argument("--until", type=dt.date.fromisoformat, help="last day simulated (default: yesterday)")
    check.add_argument("--reuse-visitors", action="store_true", help="with --keep: train on the visitors kept there")
    tuning = commands.add_parser("tune", help="try the TUNING candidates on the validation week (kept database)")
    tuning.add_argument("--keep", required=True, help="the folder `quality --keep` left")
    tuning.add_argument("--until", type=dt.date.fromisoformat, required=True, help="the last day `quality` simulated")
    tuning.add_argument("--first", type=int, default=0, help="start with this TUNING candidate (0: the first)")
    args = parser.parse_args()
    if args.command == "quality":
        quality(args)
    elif args.command == "tune":
        tune(args)
    else:
        speed(args)


if __name__ == "__main__":
    main()
