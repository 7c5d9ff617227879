"""What a visitor does, in a real Chromium driven by Playwright (Debian's /usr/bin/chromium, nothing downloaded)."""

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
def site(tmp_path_factory):
    """The demo site on gunicorn in its own process: what a visitor reaches is the real server."""
    with demo_server(tmp_path_factory.mktemp("browser-site")) as base_url:
        yield base_url


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
