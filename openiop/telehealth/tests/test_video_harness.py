"""The video browser fixtures: Chromium inside the namespace reaches the Django live server
on the root-side address, may use the (fake) camera over http there, signs in through the
real form, loads janus.js from our static files and talks to the harness's Janus."""

from playwright.sync_api import Page

from openiop.browser import sign_in
from openiop.conftest import World
from openiop.telehealth.testing import JanusNetns


def test_browser_in_namespace_reaches_django_and_janus(
    world: World, janus_settings: JanusNetns, video_new_page, video_live_url: str
) -> None:
    assert video_live_url.startswith(f"http://{janus_settings.root_ip}:")
    page: Page = video_new_page("phone")
    sign_in(page, world.alex)
    assert page.url.startswith(video_live_url)

    # Secure context on plain http (the flag), and the fake camera and microphone answer.
    tracks = page.evaluate(
        """async () => {
            if (!window.isSecureContext || !navigator.mediaDevices) return null;
            const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
            const kinds = stream.getTracks().map((t) => t.kind).sort();
            stream.getTracks().forEach((t) => t.stop());
            return kinds;
        }"""
    )
    assert tracks == ["audio", "video"]

    # janus.js and adapter.js come from the Debian packages through our static files.
    for path in ("/static/janus-gateway/janus.js", "/static/webrtc-adapter/adapter.js"):
        assert page.evaluate("async (p) => (await fetch(p)).status", path) == 200

    # The page's CSP allows connections to its own origin only; a video page adds the
    # Janus origin to connect-src. Here: the browser reaches Janus from inside the namespace.
    page.goto(f"{janus_settings.janus_url}/info")
    assert '"name":"Janus WebRTC Server"' in page.content()
    # Janus posts its events to this live server (whatever answers them there).
    assert janus_settings.events_url == f"{video_live_url}/telehealth/janus-events/"
