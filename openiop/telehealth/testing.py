"""Test harness for video: a real Janus and Chromium in a network namespace made per run.

Why: libnice (inside Janus) and Chromium do not use 127.0.0.1 for media, and tests must not
send anything off the machine. So the harness creates a namespace with a veth pair (inside
198.18.N.1/24, root side 198.18.N.2/24, no default route, N free per run), starts Janus
inside it on a generated config, and gives a Chromium wrapper that runs inside it too.
Needs root (CI is root); elsewhere the fixtures skip with the reason. See DEVELOPERS.md.

Fixtures (registered for telehealth's tests in openiop/telehealth/conftest.py):

- `janus_netns` (session): a `JanusNetns` with Janus running. Use `.server` (a
  `JanusServer` for the adapter), `.janus_url`, `.admin_key`, `.events_secret`,
  `.inside_ip`, `.root_ip`, `.ns`, `.log_path`, `.chromium_executable`,
  `.restart_janus(events_url=...)`, `.log_text()`.
- `janus_events` (function): an `EventSink` receiving Janus's event posts during the test
  (`.events`, `.plugin_events("joined")`, `.refused`), for tests without a live server.
- `janus_settings` (function): points settings.JANUS_URLS / JANUS_ADMIN_KEY /
  JANUS_EVENTS_SECRET at that Janus; yields the `JanusNetns`.
- `video_live_server` (session): a second Django live server listening on the root-side
  address (reachable from the namespace), and Janus restarted so its events go to
  ``<that server>/telehealth/janus-events/``.
- `video_live_url` (function, transactional db like `live_url`): its origin,
  e.g. http://198.18.3.2:41234, with ALLOWED_HOSTS allowing it.
- `video_browser` (session): Chromium inside the namespace with a fake camera and microphone
  that treats the video live server's origin as secure (getUserMedia works over http there).
- `video_new_page` (function): `video_new_page("phone")` / `("desktop")`, like `new_page`
  but on `video_browser` and `video_live_url`; `sign_in(page, user)` works as usual.
  Artifacts (PNG + HTML) go to test-artifacts/ when the test fails.

A browser end-to-end test then reads::

    def test_both_see_each_other(world, janus_settings, video_new_page):
        clinician = video_new_page("desktop"); sign_in(clinician, world.casey)
        client = video_new_page("phone"); sign_in(client, world.alex)
        ...
        assert inbound_video_bytes(client) > 0   # your page exposes its subscriber PCs

Proof of media (how test_video_smoke.py does it, with janus.js 1.1 multistream): the page
keeps its subscriber handles; `handle.webrtcStuff.pc.getStats()` has an `inbound-rtp` report
of kind video whose `bytesReceived` grows about a second after `start`. Poll with
`page.wait_for_function(...)` instead of sleeping. Pass `iceServers: []` to `new Janus`.
Low-bandwidth mode: a subscriber `configure` with `streams: [{mid, substream: 0}]`; Janus
then sends an event with `substream: 0` and the inbound `frameWidth` drops (the fake camera
is 1280 wide, layer 0 is 320). Under load the first bytes can take 10-20 s: wait up to 40 s.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from openiop.telehealth.janus import JanusServer
from openiop.telehealth.janus_config import JANUS_BINARY, janus_command, write_config

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright
    from pytest_django import DjangoDbBlocker
    from pytest_django.live_server_helper import LiveServer

CHROMIUM = "/usr/bin/chromium"
IP = shutil.which("ip") or "/usr/sbin/ip"
JANUS_PORT = 8088
RTP_PORTS = (20000, 20100)
NAME_PREFIX = "oiop"  # namespaces oiop<pid>, veths oiv<pid>i (inside) / oiv<pid>o (root side)
# One lock for every test process on the machine, while a free subnet is picked.
LOCK_PATH = Path(tempfile.gettempdir()) / "openiop-netns.lock"
EVENTS_PATH = "/telehealth/janus-events/"

# Chromium flags for media tests; add `--unsafely-treat-insecure-origin-as-secure=<origin>`
# (see `video_chromium_args`) so an http:// page outside 127.0.0.1 may use getUserMedia.
VIDEO_CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
]


def video_chromium_args(*secure_origins: str) -> list[str]:
    """Chromium arguments for a media test whose pages come from `secure_origins`."""
    args = list(VIDEO_CHROMIUM_ARGS)
    if secure_origins:
        args.append(f"--unsafely-treat-insecure-origin-as-secure={','.join(secure_origins)}")
    return args


def _unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where video tests must really run."""
    if os.environ.get("CI"):
        pytest.fail(f"Video tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"video tests need {reason}")


def _run(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own argv)
        [IP, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_namespaces() -> None:
    """Delete namespaces this harness left behind (its own name pattern, owner process gone,
    nothing running inside)."""
    for line in _run("netns", "list").splitlines():
        match = re.match(rf"^{NAME_PREFIX}(\d+)\b", line)
        if not match or _pid_alive(int(match.group(1))):
            continue
        name = f"{NAME_PREFIX}{match.group(1)}"
        if _run("netns", "pids", name).strip():
            continue
        subprocess.run([IP, "netns", "del", name], capture_output=True, check=False)  # noqa: S603


def _free_subnet() -> int:
    used = set(re.findall(r"inet 198\.18\.(\d+)\.", _run("-4", "-o", "addr", "show")))
    for number in range(1, 255):
        if str(number) not in used:
            return number
    raise RuntimeError("no free 198.18.N.0/24 left for a test namespace")


class EventSink:
    """Receives Janus's event posts until a live server takes over (`janus_netns.events`):
    every event (a dict) that came with the right basic-auth credentials; wrong ones are
    answered 401 and counted in `refused`."""

    def __init__(self, host: str, secret: str) -> None:
        self.events: list[dict[str, Any]] = []
        self.refused = 0
        expected = "Basic " + base64.b64encode(f"janus:{secret}".encode()).decode()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != expected:
                    sink.refused += 1
                    self.send_response(401)
                else:
                    try:
                        items = json.loads(body)
                    except ValueError:
                        items = []
                    sink.events.extend(items if isinstance(items, list) else [items])
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}{EVENTS_PATH}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def plugin_events(self, event: str) -> list[dict[str, Any]]:
        """Videoroom events named `event` ("joined", "leaving", "kicked", "destroyed"…)."""
        found = []
        for item in list(self.events):
            data = (item.get("event") or {}).get("data") or {}
            if item.get("type") == 64 and data.get("event") == event:
                found.append(data)
        return found

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class JanusNetns:
    """A network namespace with Janus in it; see the module docstring."""

    ns: str
    inside_if: str
    root_if: str
    inside_ip: str
    root_ip: str
    workdir: Path
    admin_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    events_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    events_url: str = ""
    log_path: Path = Path()
    chromium_executable: str = ""
    process: subprocess.Popen[bytes] | None = None
    sink: EventSink | None = None
    _starts: int = 0

    @property
    def janus_url(self) -> str:
        return f"http://{self.inside_ip}:{JANUS_PORT}/janus"

    @property
    def server(self) -> JanusServer:
        return JanusServer(url=self.janus_url, admin_key=self.admin_key)

    # --- namespace ---------------------------------------------------------------------------

    def create(self) -> None:
        _run("netns", "add", self.ns)
        _run("link", "add", self.root_if, "type", "veth", "peer", "name", self.inside_if)
        _run("link", "set", self.inside_if, "netns", self.ns)
        _run("addr", "add", f"{self.root_ip}/24", "dev", self.root_if)
        _run("link", "set", self.root_if, "up")
        inside = ("netns", "exec", self.ns, IP)
        _run(*inside, "addr", "add", f"{self.inside_ip}/24", "dev", self.inside_if)
        _run(*inside, "link", "set", self.inside_if, "up")
        _run(*inside, "link", "set", "lo", "up")
        self.workdir.mkdir(parents=True, exist_ok=True)
        wrapper = self.workdir / "chromium"
        wrapper.write_text(f'#!/bin/sh\nexec {IP} netns exec {self.ns} {CHROMIUM} "$@"\n')
        wrapper.chmod(0o755)
        self.chromium_executable = str(wrapper)
        self.sink = EventSink(self.root_ip, self.events_secret)

    def destroy(self) -> None:
        self.stop_janus()
        if self.sink is not None:
            self.sink.close()
        subprocess.run([IP, "netns", "del", self.ns], capture_output=True, check=False)  # noqa: S603
        # The veth pair goes with the namespace; this only matters if creation failed halfway.
        subprocess.run([IP, "link", "del", self.root_if], capture_output=True, check=False)  # noqa: S603
        shutil.rmtree(self.workdir, ignore_errors=True)

    # --- Janus -------------------------------------------------------------------------------

    def start_janus(self, *, events_url: str | None = None, timeout: float = 15.0) -> None:
        """(Re)write the config and start Janus; returns once its HTTP API answers."""
        self.stop_janus()
        if events_url is not None:
            self.events_url = events_url
        if not self.events_url and self.sink is not None:
            self.events_url = self.sink.url
        config_dir = self.workdir / "config"
        write_config(
            config_dir,
            bind_ip=self.inside_ip,
            http_port=JANUS_PORT,
            media_ip=self.inside_ip,
            ice_interface=self.inside_if,
            admin_key=self.admin_key,
            events_url=self.events_url,
            events_secret=self.events_secret,
            rtp_ports=RTP_PORTS,
        )
        self._starts += 1
        self.log_path = self.workdir / f"janus-{self._starts}.log"  # -L appends: a new file
        self.process = subprocess.Popen(  # noqa: S603 (our own argv)
            [IP, "netns", "exec", self.ns, *janus_command(config_dir, log_path=self.log_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Janus exited with {self.process.returncode}:\n{self.log_text()[-3000:]}"
                )
            try:
                with opener.open(f"{self.janus_url}/info", timeout=1) as answer:
                    if b"server_info" in answer.read():
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop_janus()
                raise RuntimeError(f"Janus did not answer in {timeout} s:\n{self.log_text()}")
            time.sleep(0.05)

    def restart_janus(self, *, events_url: str | None = None) -> None:
        """Restart Janus (rooms are forgotten), optionally posting events elsewhere."""
        self.start_janus(events_url=events_url)

    def stop_janus(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


def _worker_id(config: pytest.Config) -> str:
    return str(getattr(config, "workerinput", {}).get("workerid", "main"))


@pytest.fixture(scope="session")
def janus_netns(request: pytest.FixtureRequest) -> Iterator[JanusNetns]:
    if os.geteuid() != 0:
        _unavailable("root (network namespaces); run as root, as CI does")
    if not os.access(JANUS_BINARY, os.X_OK):
        _unavailable(f"{JANUS_BINARY}: apt-get install janus (scripts/ensure-test-deps)")
    if not os.access(IP, os.X_OK):
        _unavailable("iproute2: apt-get install iproute2")
    pid = os.getpid()
    LOCK_PATH.touch(exist_ok=True)
    with LOCK_PATH.open() as lock:
        # One process at a time picks a free subnet and claims it by adding the address.
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _remove_stale_namespaces()
            subnet = _free_subnet()
            netns = JanusNetns(
                ns=f"{NAME_PREFIX}{pid}",
                inside_if=f"oiv{pid}i",
                root_if=f"oiv{pid}o",
                inside_ip=f"198.18.{subnet}.1",
                root_ip=f"198.18.{subnet}.2",
                workdir=Path(
                    tempfile.mkdtemp(prefix=f"openiop-janus-{_worker_id(request.config)}-")
                ),
            )
            try:
                netns.create()
            except RuntimeError as error:
                netns.destroy()
                _unavailable(f"a network namespace ({error})")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    try:
        netns.start_janus()
        yield netns
    finally:
        if request.session.testsfailed:  # keep Janus's logs for the post-mortem
            folder = Path(request.config.rootpath) / "test-artifacts"
            folder.mkdir(exist_ok=True)
            for log in netns.workdir.glob("janus-*.log"):
                shutil.copy(log, folder / f"{netns.ns}-{log.name}")
        netns.destroy()


@pytest.fixture
def janus_events(janus_netns: JanusNetns) -> Iterator[EventSink]:
    """The harness's own event sink, with Janus posting to it for this test (Janus is
    restarted around the test only if a video live server had taken its events over)."""
    sink = janus_netns.sink
    assert sink is not None
    previous = janus_netns.events_url
    if previous != sink.url:
        janus_netns.restart_janus(events_url=sink.url)
    yield sink
    if previous != sink.url:
        janus_netns.restart_janus(events_url=previous)


@pytest.fixture
def janus_settings(settings: Any, janus_netns: JanusNetns) -> JanusNetns:
    """Settings pointing at the harness's Janus (undone after the test)."""
    settings.JANUS_URLS = [janus_netns.janus_url]
    settings.JANUS_ADMIN_KEY = janus_netns.admin_key
    settings.JANUS_EVENTS_SECRET = janus_netns.events_secret
    settings.TURN_URLS = []
    return janus_netns


@pytest.fixture(scope="session")
def video_live_server(
    janus_netns: JanusNetns, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[LiveServer]:
    """A Django live server on the namespace's root-side address, receiving Janus's events."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer(f"{janus_netns.root_ip}:0")
    janus_netns.restart_janus(events_url=f"{server.url}{EVENTS_PATH}")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _video_transactional_db(request: pytest.FixtureRequest) -> None:
    """Like pytest-django's live-server helper: a test using the video live server gets the
    transactional database set up before any other database fixture (`world`…), so the
    audit trail's triggers are lifted around the final flush (see openiop/browser.py)."""
    if "video_live_url" in request.fixturenames:
        request.getfixturevalue("transactional_db")


@pytest.fixture
def video_live_url(
    video_live_server: LiveServer, transactional_db: None, settings: Any
) -> Iterator[str]:
    """The video live server's origin (no trailing slash); the database is transactional so
    the server thread sees what the test writes."""
    modified = video_live_server._live_server_modified_settings
    modified.enable()
    try:
        yield str(video_live_server.url)
    finally:
        modified.disable()


@pytest.fixture(scope="session")
def video_browser(
    playwright: Playwright, janus_netns: JanusNetns, video_live_server: LiveServer
) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=janus_netns.chromium_executable,
        args=video_chromium_args(str(video_live_server.url)),
    )
    yield browser
    browser.close()


@pytest.fixture
def video_new_page(
    video_browser: Browser, video_live_url: str, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """`video_new_page("phone" | "desktop")`: a page in a fresh context (its own cookies) on
    the video browser, relative URLs against the video live server."""
    from openiop.browser import _REPORTS, TIMEOUT_MS, VIEWPORTS, _save_artifacts

    pages: list[Page] = []

    def _new(viewport: str = "desktop") -> Page:
        context = video_browser.new_context(
            base_url=video_live_url,
            permissions=["camera", "microphone"],
            **VIEWPORTS[viewport],
        )
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
