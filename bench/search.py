"""Site search latency: p50/p99 over the demo content and over 5,000 generated pages, beside a primary-key fetch.

    .venv/bin/python bench/search.py                      # SQLite in a temporary folder
    DATABASE_URL=postgres://… .venv/bin/python bench/search.py

Without DATABASE_URL it works in a fresh temporary folder (VISITAIZU_VAR_DIR), never in var/. It migrates,
loads the demo content, times searches in every language, adds synthetic pages (titles start "[synthetic]")
up to 5,000 live pages, rebuilds the index, times again, and ends with one JSON line.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_PAGES = int(os.environ.get("BENCH_PAGES", "5000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
GOAL_P99_MS = 50.0
# (language, query): words from inside titles, romaji, words found in many pages, and words found nowhere.
QUERIES = [
    ("ja", "鶴ヶ城"),
    ("ja", "七日町"),
    ("ja", "Tsuruga"),
    ("ja", "温泉 紅葉"),
    ("en", "castle"),
    ("en", "toukaichi"),
    ("zh-hant", "鶴城"),
    ("zh-hans", "温泉"),
    ("ko", "쓰루가성"),
    ("th", "สึรุงะ"),
    ("ja", "存在しない言葉"),
    ("th", "ไม่มีคำนี้เลย"),
]


def setup_django() -> str:
    sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
    os.chdir(ROOT)
    os.environ["DJANGO_SETTINGS_MODULE"] = "visitaizu.settings.test"  # DEBUG off, local-memory cache
    if not os.environ.get("DATABASE_URL"):
        os.environ["VISITAIZU_VAR_DIR"] = tempfile.mkdtemp(prefix="visitaizu-bench-")
    import django

    django.setup()
    from django.db import connection

    return connection.vendor


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def time_searches(rounds: int) -> dict:
    from django.test import RequestFactory
    from django.utils import translation

    from search.query import search
    from search.text import query_terms

    factory = RequestFactory()
    samples: list[float] = []
    per_query = {}
    for language, query in QUERIES:
        timings = []
        with translation.override(language):
            for round_number in range(rounds + 3):
                request = factory.get(f"/{language}/search/", {"q": query})  # a fresh request: nothing cached
                started = time.perf_counter()
                results = search(query_terms(query), language, request=request)
                elapsed = (time.perf_counter() - started) * 1000
                if round_number >= 3:  # warm-up
                    timings.append(elapsed)
        samples += timings
        p50, p99 = percentiles(timings)
        per_query[f"{language}:{query}"] = {"hits": results.total, "p50_ms": round(p50, 2), "p99_ms": round(p99, 2)}
    p50, p99 = percentiles(samples)
    return {"p50_ms": round(p50, 2), "p99_ms": round(p99, 2), "per_query": per_query}


def time_pk_fetch(rounds: int) -> dict:
    from wagtail.models import Page

    ids = list(Page.objects.live().values_list("pk", flat=True))
    random.seed(1)
    timings = []
    for round_number in range(rounds * len(QUERIES) + 3):
        pk = random.choice(ids)
        started = time.perf_counter()
        Page.objects.get(pk=pk)
        if round_number >= 3:
            timings.append((time.perf_counter() - started) * 1000)
    p50, p99 = percentiles(timings)
    return {"p50_ms": round(p50, 3), "p99_ms": round(p99, 3)}


def time_view(rounds: int) -> dict:
    """The whole results page (template, header, menus) through Django's test client, for reference."""
    from django.test import Client

    client = Client()
    timings = []
    for language, query in QUERIES:
        for round_number in range(max(3, rounds // 4) + 1):
            started = time.perf_counter()
            response = client.get(f"/{language}/search/", {"q": query})
            assert response.status_code == 200, response.status_code
            if round_number:
                timings.append((time.perf_counter() - started) * 1000)
    p50, p99 = percentiles(timings)
    return {"p50_ms": round(p50, 2), "p99_ms": round(p99, 2)}


def measure(label: str, rounds: int) -> dict:
    from wagtail.models import Page

    from search.models import SearchDocument

    searches = time_searches(rounds)
    pk = time_pk_fetch(rounds)
    figures = {
        "live_pages": Page.objects.live().exclude(depth=1).count(),
        "documents": SearchDocument.objects.count(),
        "search_p50_ms": searches["p50_ms"],
        "search_p99_ms": searches["p99_ms"],
        "pk_fetch_p50_ms": pk["p50_ms"],
        "pk_fetch_p99_ms": pk["p99_ms"],
        "ratio_p50": round(searches["p50_ms"] / pk["p50_ms"], 1),
        "ratio_p99": round(searches["p99_ms"] / pk["p99_ms"], 1),
        "view_p50_ms": None,
        "view_p99_ms": None,
    }
    view = time_view(rounds)
    figures["view_p50_ms"], figures["view_p99_ms"] = view["p50_ms"], view["p99_ms"]
    print(f"\n== {label}: {figures['live_pages']} live pages, {figures['documents']} search documents")
    print(f"{'query':<28}{'hits':>6}{'p50 ms':>10}{'p99 ms':>10}")
    for name, row in searches["per_query"].items():
        print(f"{name:<28}{row['hits']:>6}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}")
    print(
        f"all searches p50 {figures['search_p50_ms']} ms, p99 {figures['search_p99_ms']} ms; "
        f"primary-key Page fetch p50 {pk['p50_ms']} ms, p99 {pk['p99_ms']} ms; "
        f"ratio p50 ×{figures['ratio_p50']}, p99 ×{figures['ratio_p99']}; "
        f"whole results page p50 {view['p50_ms']} ms, p99 {view['p99_ms']} ms"
    )
    return figures


def generate_pages(target: int) -> tuple[int, float]:
    """Synthetic spots, festivals and standard pages built from the demo texts in every language."""
    from django.conf import settings
    from django.db import transaction
    from modeltranslation.utils import build_localized_fieldname
    from tqdm import tqdm
    from wagtail.models import Page

    from content.models import HomePage, StandardPage
    from demo.loader import localized, paragraphs, read
    from events.models import EventIndexPage, EventPage
    from routes.models import SpotIndexPage, SpotPage

    home = HomePage.objects.get()
    # Standard pages go under one folder page: directly under home they would all be listed in the footer.
    folder = StandardPage.objects.child_of(home).filter(slug_ja="synthetic").first()
    if folder is None:
        folder = home.add_child(instance=StandardPage(title_ja="[synthetic] pages", slug_ja="synthetic", live=True))
    missing = target - Page.objects.live().exclude(depth=1).count()
    if missing <= 0:
        return 0, 0.0
    spots, events = read("spots"), read("events")
    parents = {SpotPage: SpotIndexPage.objects.get(), EventPage: EventIndexPage.objects.get(), StandardPage: folder}
    start_number = Page.objects.filter(slug_ja__startswith="synthetic-").count()
    languages = [code for code, _name in settings.LANGUAGES]
    started = time.perf_counter()
    for number in tqdm(range(start_number, start_number + missing), desc="Synthetic pages", unit="page", mininterval=5):
        model = (SpotPage, SpotPage, SpotPage, EventPage, StandardPage)[number % 5]
        item = (events if model is EventPage else spots)[number % (len(events) if model is EventPage else len(spots))]
        fields = {
            **localized("title", {code: f"[synthetic] {item['title'][code]} {number}" for code in languages}),
            build_localized_fieldname("slug", settings.SOURCE_LANGUAGE): f"synthetic-{number}",
            "live": True,
        }
        if model is StandardPage:
            fields |= localized("intro", item["summary"]) | localized("body", item["description"], paragraphs)
        else:
            fields |= localized("summary", item["summary"]) | localized("description", item["description"], paragraphs)
        page = model(**fields)
        # Wagtail-modeltranslation's slug check loads every sibling on each save (quadratic over thousands of
        # siblings); these slugs are unique by construction, so only fill the per-language slugs.
        page.full_clean = page.fill_empty_slugs
        with transaction.atomic():
            parents[model].add_child(instance=page)
    return missing, time.perf_counter() - started


def main() -> None:
    vendor = setup_django()
    from django.core.management import call_command
    from wagtail.models import Page

    from search.indexing import index_page, rebuild_index

    print(f"Database: {vendor}" + ("" if os.environ.get("DATABASE_URL") else f" in {os.environ['VISITAIZU_VAR_DIR']}"))
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo_content", "--no-admin", verbosity=0)
    if Page.objects.filter(slug_ja__startswith="synthetic-").exists():
        demo = None  # a database kept from an earlier run: only the large figures mean anything
        print("Synthetic pages from an earlier run found: skipping the demo-content figures.")
    else:
        demo = measure("demo content", ROUNDS)

    created, seconds = generate_pages(TARGET_PAGES)
    print(f"\nGenerated {created} synthetic pages in {seconds:.0f} s; indexing…")
    sample = list(Page.objects.filter(slug_ja__startswith="synthetic-").order_by("?")[:50])
    started = time.perf_counter()
    for page in sample:
        index_page(page)  # what publishing one page costs
    index_page_ms = (time.perf_counter() - started) * 1000 / max(1, len(sample))
    started = time.perf_counter()
    rebuild_index()
    rebuild_seconds = time.perf_counter() - started
    print(f"Indexing one page (on publish) takes {index_page_ms:.1f} ms; the whole index {rebuild_seconds:.1f} s")
    large = measure(f"{TARGET_PAGES} pages", ROUNDS)

    met = large["search_p99_ms"] <= GOAL_P99_MS and large["live_pages"] >= TARGET_PAGES
    result = {
        "figures": {
            "database": vendor,
            "rounds_per_query": ROUNDS,
            "queries": len(QUERIES),
            "demo": demo,
            f"at_{TARGET_PAGES}": large,
            "index_rebuild_s": round(rebuild_seconds, 1),
            "index_one_page_ms": round(index_page_ms, 1),
        },
        "goals": {f"p99_ms_at_{TARGET_PAGES}_le_{GOAL_P99_MS:g}": met},
        "met": met,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
