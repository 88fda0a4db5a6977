"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

The browser is always /usr/bin/chromium from the distribution (`apt-get install chromium`); these
tests never download one (`playwright install` is not used anywhere). Without Chromium they skip,
unless CBRNET_REQUIRE_BROWSER=true (CI sets it): then they fail, so a broken CI image cannot pass
silently.

The live server runs in this process, so the `settings` fixture reaches it (REQUIRE_2FA, hashers).
Every test module marks its tests `browser`, puts them in the xdist group "browser" and uses a
transactional database with serialized rollback (`pytestmark` at the top of each module): the live
server's thread must see the test's data, and the data migrations' rows must be back for the tests
that run after them.

On a failure, a screenshot of every page the test had open is written to test-results/.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000  # generous: CI machines are slow, and a wait only lasts this long when a test fails

_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the page fixture knows whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _required() -> bool:
    return os.environ.get("CBRNET_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for all browser tests (package scope: closed once they are done)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install chromium`."
        if _required():
            pytest.fail(f"CBRNET_REQUIRE_BROWSER is set but {reason}", pytrace=False)
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # While sync Playwright runs, this thread has a running asyncio loop, and Django then keeps
    # database connections per async context instead of per thread: the test code would get new
    # connections that lack the test-database state pytest-django set up (serialized rollback data,
    # the connection shared with the live server), and the next test would start from an empty
    # database. Put the thread's own connections into that context so nothing changes.
    thread_connections = {alias: connections[alias] for alias in connections}
    # For the same reason Django would refuse ORM calls from the test code (fixtures, assertions on
    # the database) as "async unsafe"; they are not: the loop only drives the browser. Allowed for
    # as long as the browser runs, so that the rest of the suite keeps Django's check.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, connection in thread_connections.items():
            connections[alias] = connection
        try:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
        finally:
            for alias in thread_connections:
                del connections[alias]


@pytest.fixture(autouse=True)
def browser_settings(settings):
    """Plain-HTTP live server: no HTTPS redirect or secure-only cookies; 2FA off unless a test turns it on."""
    from django.core.cache import cache

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.REQUIRE_2FA = False
    cache.clear()  # sign-in throttling counts failures per address in the cache; start every test clean
    return settings


@pytest.fixture
def console_messages():
    """Console messages and uncaught page errors of the test's pages, as "type: text" strings."""
    return []


@pytest.fixture
def context(browser, live_server, request, console_messages):
    """A fresh browser profile (no cookies) pointed at the live server."""
    browser_context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="UTC")
    browser_context.set_default_timeout(TIMEOUT_MS)
    browser_context.on("page", lambda page: _listen(page, console_messages))
    yield browser_context
    reports = request.node.stash.get(_REPORTS, {})
    if any(report.failed for report in reports.values()):
        _screenshots(browser_context, request)
    browser_context.close()


def _listen(page, messages: list[str]) -> None:
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))


def _screenshots(browser_context, request) -> None:
    directory = request.config.rootpath / "test-results"
    directory.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.nodeid).strip("-")
    for number, page in enumerate(browser_context.pages, start=1):
        try:
            page.screenshot(path=directory / f"{name}-{number}.png", full_page=True)
        except Exception as error:  # a failed screenshot must not hide the test's own failure
            print(f"Could not save a screenshot of {page.url}: {error}")


@pytest.fixture
def page(context):
    """An empty tab in the fresh profile; `page.goto("/path/")` is relative to the live server."""
    return context.new_page()


@pytest.fixture
def sign_in(context, live_server):
    """Sign a user in by handing the browser a session cookie (the sign-in form has its own tests)."""
    from django.conf import settings
    from django.test import Client

    def _sign_in(user):
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )

    return _sign_in
