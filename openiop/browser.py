"""Browser-test harness: one headless Debian Chromium per test session, a fresh context per page.

Registered from `openiop/conftest.py` through `pytest_plugins`. A browser test looks like::

    @pytest.mark.browser
    def test_client_sees_their_page(world: World, new_page: NewPage) -> None:
        page = new_page("phone")
        sign_in(page, world.alex)
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alex")

Any test that uses these fixtures runs against pytest-django's `live_server`, which makes its
database transactional, so `world` (and any other `db` fixture) is committed and visible to
the server thread. While the browser runs, the test thread uses its own set of database
connections (Django keys them by event-loop context), closed when the session ends.

Why some things here are the way they are:
- Playwright's sync API keeps an asyncio loop running in the test thread for the whole
  session, and Django refuses ORM calls from a thread with a running loop. The browser fixture
  sets DJANGO_ALLOW_ASYNC_UNSAFE, and browser tests are moved to the end of the run so no
  ordinary test runs with that check switched off.
- On SQLite the test database lives in memory and the live server's request threads all share
  the test's one connection (pytest-django passes it over), so two requests at once would
  interleave on it: one leaving its transaction flips `in_atomic_block` under the other
  (an autosave racing "Hand it in" did exactly that). The live server here handles one
  request at a time when it shares a connection; on PostgreSQL each thread has its own
  connection and requests run concurrently, as in production.
- A transactional test ends with a flush of every table, which the audit trail's append-only
  triggers refuse; they are lifted for the flush only and put back straight after it.
"""

import importlib
import os
import re
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Literal, Protocol

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection, connections
from django.test.testcases import LiveServerThread
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from pytest_django import DjangoDbBlocker
from pytest_django.live_server_helper import LiveServer

from openiop.accounts.models import User
from openiop.conftest import PASSWORD, current_code
from openiop.programs.models import Client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
Viewport = Literal["phone", "desktop"]
VIEWPORTS: dict[str, dict] = {
    # A cheap Android phone: the width most of our clients have.
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 1,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
# Fail fast: every page here answers from loopback within milliseconds.
TIMEOUT_MS = 10_000


class NewPage(Protocol):
    """The `new_page` fixture's factory."""

    def __call__(self, viewport: Viewport = "desktop", *, bfcache: bool = False) -> Page: ...


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


# --- the live server -----------------------------------------------------------------------


class OneAtATimeWhenSharedServer(ThreadedWSGIServer):
    """Django's threaded test server, except that while its threads share one database
    connection (in-memory SQLite) it runs one request at a time, start to finish, including
    the response body and its close (request_finished handlers use the database too)."""

    def set_app(self, application):  # type: ignore[no-untyped-def]
        if not self.connections_override:
            super().set_app(application)
            return
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):  # type: ignore[no-untyped-def]
            with lock:
                result = application(environ, start_response)
                try:
                    return [b"".join(result)]
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()

        super().set_app(one_at_a_time)


LiveServerThread.server_class = OneAtATimeWhenSharedServer


# --- hooks ---------------------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that drives the browser as `browser` (so `-m "not browser"` skips them
    all) and run them last, in their own order; see the module docstring for why."""
    for item in items:
        uses_browser = "playwright" in getattr(item, "fixturenames", ())
        if uses_browser and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-dejavu-core")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        yield pw
        # While Playwright's loop runs, Django hands this thread a separate set of database
        # connections (asgiref's Local is per event-loop context); close them here, or
        # PostgreSQL refuses to drop the test database for "1 other session".
        connections.close_all()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the whole session; each page gets its own context."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def bfcache_browser(playwright: Playwright) -> Iterator[Browser]:
    """A second Chromium with the back/forward cache on, as in everyday Chrome (Playwright
    turns it off by default). Launched only by tests that ask `new_page(..., bfcache=True)`."""
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield chromium
    chromium.close()


@pytest.fixture
def live_url(live_server: LiveServer) -> str:
    """The running site's origin, e.g. http://localhost:41234 (no trailing slash)."""
    return str(live_server.url)


@pytest.fixture
def new_page(browser: Browser, live_url: str, request: pytest.FixtureRequest) -> Iterator[NewPage]:
    """`new_page("phone")` or `new_page("desktop")`: a page in a fresh browser context, so
    each call is a different person with their own cookies. Relative URLs resolve against the
    live server. `bfcache=True` uses a browser whose back button restores pages from the
    back/forward cache (then pass `wait_until="commit"` to `go_back`, a restored page fires
    no load event). When the test fails, each page is saved to test-artifacts/ (PNG + HTML)."""
    pages: list[Page] = []

    def _new(viewport: Viewport = "desktop", *, bfcache: bool = False) -> Page:
        chromium: Browser = request.getfixturevalue("bfcache_browser") if bfcache else browser
        context = chromium.new_context(base_url=live_url, **VIEWPORTS[viewport])
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        pages.append(page)
        return page

    yield _new
    reports = request.node.stash.get(_REPORTS, {})
    if any(report.failed for report in reports.values()):
        _save_artifacts(request, pages)
    for page in pages:
        page.context.close()


@pytest.fixture
def phone_page(new_page: NewPage) -> Page:
    """A 360 × 740 touch phone, as a client uses the site."""
    return new_page("phone")


@pytest.fixture
def desktop_page(new_page: NewPage) -> Page:
    """A 1280 × 800 desktop, as staff use the site."""
    return new_page("desktop")


@pytest.fixture
def _audit_triggers_back_after_flush(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        _audit_triggers(install=True)
        _restore_reference_data()


def _restore_reference_data() -> None:
    """The flush also empties rows that data migrations publish (the consent documents);
    put them back so the next test sees the database a fresh migrate gives."""
    from django.apps import apps

    consents = importlib.import_module("openiop.programs.migrations.0003_first_consent_documents")
    consents.publish(apps, None)


@pytest.fixture
def transactional_db(
    _audit_triggers_back_after_flush: None, transactional_db: None
) -> Iterator[None]:
    """pytest-django's `transactional_db`, with the audit triggers lifted for the final flush
    (this teardown runs just before the flush, the one above just after it)."""
    yield
    _audit_triggers(install=False)


def _audit_triggers(*, install: bool) -> None:
    migration = importlib.import_module("openiop.audit.migrations.0002_append_only_triggers")
    vendor = connection.vendor
    if vendor == "postgresql":
        statements = [migration.PG_UP if install else migration.PG_DOWN]
    elif vendor == "sqlite":
        statements = migration.SQLITE_UP if install else migration.SQLITE_DOWN
    else:
        statements = []
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# --- helpers -------------------------------------------------------------------------------


def sign_in(
    page: Page, who: User | Client, *, password: str = PASSWORD, next_url: str = ""
) -> None:
    """Sign in through the real form: email, password, then the TOTP page for staff.

    `who` is a user or a client profile (its account signs in). Leaves the page wherever the
    site sends them: their home page, or `next_url`.
    """
    user = who.user if isinstance(who, Client) else who
    page.goto(f"/login/?next={next_url}" if next_url else "/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if user.requires_mfa:
        page.wait_for_url(re.compile(r"/account/mfa/"))
        page.get_by_label("Code from your authenticator app").fill(fresh_code(user))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_url(lambda url: "/account/mfa/" not in url)
    else:
        page.wait_for_url(lambda url: "/login/" not in url)


def fresh_code(user: User) -> str:
    """The current TOTP code for `user`, usable even if it was already used in this 30 s step
    (django-otp refuses a replayed code, so the device forgets the last step it accepted)."""
    TOTPDevice.objects.filter(user=user, confirmed=True).update(last_t=-1)
    return current_code(user)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login/"))


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing scrolls)."""
    return int(
        page.evaluate(
            "Math.max(0, document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth)"
        )
    )


# What a screen reader user needs on every page; returns a list of problems (empty when fine).
_A11Y_PROBLEMS_JS = """
() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("<html> has no lang");
  if (!document.title.trim()) problems.push("page has no <title>");
  const skip = document.querySelector("a.skip[href^='#']");
  if (!skip) problems.push("no skip link");
  else if (!document.getElementById(skip.getAttribute("href").slice(1)))
    problems.push("skip link target is missing");
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one <h1>");
  if (!document.querySelector("main")) problems.push("no <main>");
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    const named = el.labels.length > 0 || el.getAttribute("aria-label") ||
      el.getAttribute("aria-labelledby");
    if (!named) problems.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name}`);
    for (const id of (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean))
      if (!document.getElementById(id))
        problems.push(`${el.name} aria-describedby points at missing #${id}`);
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    // textContent too: innerText is empty for content not rendered (a closed <details>).
    if (!(el.innerText || el.textContent || el.getAttribute("aria-label") || "").trim())
      problems.push(`${el.tagName.toLowerCase()} without a name`);
  }
  for (const img of document.querySelectorAll("img"))
    if (!img.hasAttribute("alt")) problems.push(`img without alt: ${img.src.slice(0, 40)}`);
  const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i)))
    problems.push(`duplicate id ${id}`);
  return problems;
}
"""


def a11y_problems(page: Page) -> list[str]:
    """Structural checks a screen reader depends on: lang, title, skip link, one h1, labelled
    inputs whose aria-describedby targets exist, named buttons and links, alt on images,
    unique ids. Use as `assert a11y_problems(page) == []`."""
    return list(page.evaluate(_A11Y_PROBLEMS_JS))


def _save_artifacts(request: pytest.FixtureRequest, pages: list[Page]) -> None:
    folder = Path(request.config.rootpath) / "test-artifacts"
    folder.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
    for number, page in enumerate(pages):
        if page.is_closed():
            continue
        try:
            page.screenshot(path=str(folder / f"{stem}-{number}.png"), full_page=True)
            (folder / f"{stem}-{number}.html").write_text(page.content())
        except Exception as error:  # never hide the test's own failure behind this one
            print(f"could not save page {number}: {error}")
