"""What a visitor does, in a real Chromium driven by Playwright (Debian's /usr/bin/chromium, nothing downloaded)."""

import sqlite3
from pathlib import Path

import pytest

from tests.demo_server import demo_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
# Crawler lists treat HeadlessChrome as a bot: browse as an ordinary desktop Chrome.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (bin/setup installs it)"
    ),
]


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("browser-site")


@pytest.fixture(scope="module")
def site(site_dir):
    """The demo site on gunicorn in its own process: what a visitor reaches is the real server."""
    with demo_server(site_dir) as base_url:
        yield base_url


def count_rows(site_dir, table: str) -> int:
    """Rows in the server's own SQLite database, read as a second process would."""
    with sqlite3.connect(site_dir / "visitaizu.sqlite3") as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def phone(browser, accept_language: str):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        user_agent=USER_AGENT,
        locale=accept_language.split(",")[0],
        extra_http_headers={"Accept-Language": accept_language},
    )
    return context, context.new_page()


def test_thai_visitor_saves_a_route_and_keeps_it_in_korean(browser, site):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = phone(browser, "th-TH,th;q=0.9")
    page.goto(site + "/")
    assert page.url == site + "/th/"
    assert page.get_attribute("html", "lang") == "th"
    page.screenshot(path=ARTIFACTS / "phone-th-home.png", full_page=True)
    page.locator("[data-consent=decline]").click()
    page.locator("#consent").wait_for(state="hidden")

    page.locator('.cards a[href="/th/routes/castle-town-walk/"]').first.click()
    page.wait_for_url("**/th/routes/castle-town-walk/")
    save = page.locator("[data-save-route]")
    assert save.get_attribute("aria-pressed") == "false"
    save.click()
    assert save.get_attribute("aria-pressed") == "true"
    page.screenshot(path=ARTIFACTS / "phone-th-route-saved.png", full_page=True)

    page.locator(".language-switcher").get_by_role("link", name="한국어").click()
    page.wait_for_url("**/ko/routes/castle-town-walk/")
    assert page.get_attribute("html", "lang") == "ko"
    assert page.locator("#consent").is_hidden()  # the answer is remembered, in every language
    assert page.locator("[data-save-route]").get_attribute("aria-pressed") == "true"
    page.screenshot(path=ARTIFACTS / "phone-ko-route-saved.png", full_page=True)

    # The explicit choice is remembered: the next visit to / goes to Korean despite the Thai browser.
    page.goto(site + "/")
    assert page.url == site + "/ko/"
    context.close()


VISITOR_PAGES = {
    "home": "",
    "route-index": "routes/",
    "route": "routes/aizu-in-two-days/",
    "spot": "spots/tsuruga-castle/",
    "event": "festivals/aizu-matsuri/",
}


@pytest.mark.parametrize("code", ["en", "th"])
def test_no_serious_accessibility_violations(browser, site, code):
    from axe_playwright_python.sync_playwright import Axe

    ARTIFACTS.mkdir(exist_ok=True)
    axe = Axe()
    context, page = phone(browser, code)
    problems = []
    for name, path in VISITOR_PAGES.items():
        response = page.goto(f"{site}/{code}/{path}")
        assert response.status == 200, path
        page.screenshot(path=ARTIFACTS / f"phone-{code}-{name}.png", full_page=True)
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
    context.close()
    assert not problems, "\n".join(problems)


CONSENT_TITLES = {"ja": "旅の計画を保存しますか？", "th": "ต้องการบันทึกแผนการเดินทางของคุณไหม?"}


@pytest.mark.parametrize("code", ["ja", "th"])
def test_consent_then_withdrawal(browser, site, site_dir, code):
    """No identifier before the answer; agreeing makes a profile that keeps saved routes; withdrawing deletes it."""
    ARTIFACTS.mkdir(exist_ok=True)
    profiles_before = count_rows(site_dir, "consent_visitorprofile")
    context, page = phone(browser, code)
    page.goto(f"{site}/{code}/routes/castle-town-walk/")
    dialog = page.locator("#consent")
    dialog.wait_for(state="visible")
    assert dialog.locator("h2").inner_text() == CONSENT_TITLES[code]
    assert dialog.get_by_role("button").filter(has_text="").count() >= 2
    page.screenshot(path=ARTIFACTS / f"phone-{code}-consent.png")
    assert context.cookies() == []  # nothing at all is stored before the answer

    dialog.locator("[data-consent=agree]").click()
    dialog.wait_for(state="hidden")
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert cookies["visitaizu_consent"]["value"] == "agreed.1"
    assert cookies["visitaizu_visitor"]["httpOnly"] is True
    assert count_rows(site_dir, "consent_visitorprofile") == profiles_before + 1

    route_id = int(page.locator("[data-save-route]").get_attribute("data-save-route"))
    with page.expect_response("**/api/profile") as saved:
        page.locator("[data-save-route]").click()
    assert saved.value.ok
    profile = page.request.get(f"{site}/api/profile").json()["profile"]
    assert profile["saved_routes"] == [route_id]
    page.reload()  # a second page view joins the profile's history
    page.wait_for_timeout(300)
    assert count_rows(site_dir, "analytics_profileevent") > 0

    page.locator("[data-consent-open]").click()
    dialog.wait_for(state="visible")
    page.screenshot(path=ARTIFACTS / f"phone-{code}-privacy-settings.png")
    dialog.locator("[data-consent=withdraw]").click()
    dialog.wait_for(state="hidden")
    cookies = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
    assert "visitaizu_visitor" not in cookies
    assert cookies["visitaizu_consent"] == "withdrawn.1"
    assert page.request.get(f"{site}/api/profile").json() == {"profile": None}
    assert count_rows(site_dir, "consent_visitorprofile") == profiles_before
    assert count_rows(site_dir, "consent_savedroute") == 0
    assert count_rows(site_dir, "analytics_profileevent") == 0
    page.reload()
    page.wait_for_timeout(300)
    assert dialog.is_hidden()  # the answer is remembered without an identifier
    context.close()


def test_global_privacy_control_means_no_dialog(browser, site):
    context, page = phone(browser, "en")
    page.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})")
    with page.expect_response("**/api/events") as event:
        page.goto(f"{site}/en/")
    assert event.value.json()["counted"] is True  # anonymous counting continues
    page.wait_for_timeout(300)
    assert page.locator("#consent").is_hidden()
    assert context.cookies() == []
    context.close()


def test_tracker_counts_views_engagement_and_goal_clicks(browser, site, site_dir):
    def events(name: int) -> list[tuple]:
        with sqlite3.connect(site_dir / "visitaizu.sqlite3") as connection:
            return connection.execute(
                "SELECT page, goal, target, value, scroll, lang FROM analytics_rawevent WHERE name = ?", [name]
            ).fetchall()

    views, engagements, outbound = len(events(1)), len(events(2)), len(events(3))
    context, page = phone(browser, "en")
    page.goto(f"{site}/en/routes/castle-town-walk/")
    page.locator("[data-consent=decline]").click()
    page.locator("#consent").wait_for(state="hidden")
    route_id = int(page.locator("[data-save-route]").get_attribute("data-save-route"))
    page.mouse.wheel(0, 20000)
    page.wait_for_timeout(600)
    directions = page.locator('a[href*="google.com/maps"]').first
    directions.evaluate("link => link.addEventListener('click', event => event.preventDefault())")
    directions.click()
    page.locator("a.brand").click()  # leaving the route page sends its engaged time
    page.wait_for_url(f"{site}/en/")
    page.wait_for_timeout(500)
    context.close()

    assert (route_id, None, None, None, None, "en") in events(1)[views:]
    clicks = events(3)[outbound:]
    assert [(page_id, goal, target) for page_id, goal, target, *_ in clicks] == [(route_id, "map", "www.google.com")]
    left = [row for row in events(2)[engagements:] if row[0] == route_id]
    assert len(left) == 2  # one when the directions link was clicked, one on leaving
    assert sum(row[3] for row in left) >= 600
    assert max(row[4] for row in left) == 100
