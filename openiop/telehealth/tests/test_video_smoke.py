"""Two Chromium pages in the harness's namespace join one Janus room with janus.js and each
receives the other's video (RTCPeerConnection stats), with no Django in the way; a
subscriber switching to the lowest simulcast layer (low-bandwidth mode) gets a smaller one.

This proves the plumbing the telehealth pages rely on: the namespace, Janus's config,
janus.js and adapter.js from the Debian packages, Chromium's fake camera and the
"treat this http origin as secure" flag. The page below is the smallest janus.js 1.1
multistream client: publisher join -> createOffer (simulcast video) -> configure; one
subscriber handle per remote feed: join -> createAnswer -> start; then a subscriber
`configure` with `streams: [{mid, substream: 0}]` (Janus answers with `substream` in an
event once the layer changed).
"""

import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Playwright

from openiop.telehealth.janus import room_create, room_destroy, room_participants
from openiop.telehealth.testing import JanusNetns, video_chromium_args

PAGE = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>smoke</title>
<script src="/adapter.js"></script><script src="/janus.js"></script>
<script src="/smoke.js"></script></head><body><h1>smoke</h1></body></html>
"""

SMOKE_JS = b"""
(function () {
  const q = new URLSearchParams(location.search);
  const room = Number(q.get("room")), pin = q.get("pin"), server = q.get("server");
  const smoke = (window.smoke = {
    bytes: 0, frames: 0, width: 0, feeds: [], error: null, joined: false,
    sub: null, videoMid: null, substream: null,
  });
  const fail = (where) => (e) => {
    const text = typeof e === "string" ? e : (e && e.message) || JSON.stringify(e);
    smoke.error = where + ": " + text;
  };
  Janus.init({
    debug: false,
    dependencies: Janus.useDefaultDependencies({ adapter: window.adapter }),
    callback: () => {
      const janus = new Janus({ server, iceServers: [], error: fail("session"), success: () => {
        let pub = null;
        janus.attach({
          plugin: "janus.plugin.videoroom",
          error: fail("attach"),
          success: (handle) => {
            pub = handle;
            pub.send({ message: { request: "join", ptype: "publisher", room, pin,
                                  display: q.get("name") } });
          },
          onmessage: (msg, jsep) => {
            if (msg.error) return fail("publisher")(msg.error);
            if (msg.videoroom === "joined") {
              smoke.joined = true;
              pub.createOffer({
                tracks: [
                  { type: "audio", capture: true, recv: false },
                  { type: "video", capture: true, recv: false, simulcast: true },
                ],
                success: (offer) => pub.send({
                  message: { request: "configure", audio: true, video: true }, jsep: offer }),
                error: fail("offer"),
              });
            }
            for (const p of msg.publishers || []) subscribe(janus, p.id);
            if (jsep) pub.handleRemoteJsep({ jsep });
          },
        });
      } });
    },
  });
  function subscribe(janus, feed) {
    if (smoke.feeds.includes(feed)) return;
    smoke.feeds.push(feed);
    let sub = null;
    janus.attach({
      plugin: "janus.plugin.videoroom",
      error: fail("attach subscriber"),
      success: (handle) => {
        sub = smoke.sub = handle;
        sub.send({ message: { request: "join", ptype: "subscriber", room, pin,
                              streams: [{ feed }] } });
      },
      onmessage: (msg, jsep) => {
        if (msg.error) return fail("subscriber")(msg.error);
        const video = (msg.streams || []).find((s) => s.type === "video");
        if (video) smoke.videoMid = video.mid;
        if (msg.substream !== undefined) smoke.substream = msg.substream;
        if (jsep) sub.createAnswer({
          jsep, tracks: [{ type: "data" }],
          success: (answer) => sub.send({ message: { request: "start", room }, jsep: answer }),
          error: fail("answer"),
        });
      },
    });
    setInterval(async () => {
      const pc = sub && sub.webrtcStuff && sub.webrtcStuff.pc;
      if (!pc) return;
      (await pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") {
          smoke.bytes = r.bytesReceived || 0;
          smoke.frames = r.framesDecoded || 0;
          smoke.width = r.frameWidth || 0;
        }
      });
    }, 200);
  }
})();
"""

FILES: dict[str, tuple[bytes | Path, str]] = {
    "/": (PAGE, "text/html"),
    "/smoke.js": (SMOKE_JS, "text/javascript"),
    "/janus.js": (Path("/usr/share/javascript/janus-gateway/janus.js"), "text/javascript"),
    "/adapter.js": (Path("/usr/share/javascript/webrtc-adapter/adapter.js"), "text/javascript"),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        content, kind = FILES.get(self.path.split("?")[0], (b"", ""))
        body = content.read_bytes() if isinstance(content, Path) else content
        self.send_response(200 if kind else 404)
        self.send_header("Content-Type", kind or "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def page_origin(janus_netns: JanusNetns) -> Iterator[str]:
    """The smoke page, served from the root namespace at the veth's root-side address."""
    httpd = ThreadingHTTPServer((janus_netns.root_ip, 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://{janus_netns.root_ip}:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_two_browsers_receive_each_others_video(
    janus_netns: JanusNetns, playwright: Playwright, page_origin: str
) -> None:
    server = janus_netns.server
    room, secret, pin = secrets.randbelow(2**40) + 1, secrets.token_hex(8), secrets.token_hex(4)
    room_create(server, room=room, secret=secret, pin=pin, description="smoke", publishers=4)
    browser = playwright.chromium.launch(
        executable_path=janus_netns.chromium_executable, args=video_chromium_args(page_origin)
    )
    try:
        pages = []
        for name in ("one", "two"):
            context = browser.new_context(permissions=["camera", "microphone"])
            page = context.new_page()
            query = urlencode({"room": room, "pin": pin, "server": server.url, "name": name})
            page.goto(f"{page_origin}/?{query}")
            pages.append(page)
        for page in pages:
            page.wait_for_function(
                "() => window.smoke.error || (window.smoke.bytes > 0 && window.smoke.frames > 0)",
                timeout=40_000,
            )
            smoke = page.evaluate("window.smoke")
            assert smoke["error"] is None, smoke["error"]
            assert smoke["bytes"] > 0 and smoke["frames"] > 0
            assert len(smoke["feeds"]) == 1
        # Low-bandwidth mode: the subscriber asks Janus for the lowest simulcast layer and
        # gets a smaller picture.
        page = pages[0]
        full_width = page.evaluate("window.smoke.width")
        page.evaluate(
            """() => window.smoke.sub.send({message: {request: "configure",
                 streams: [{mid: window.smoke.videoMid, substream: 0}]}})"""
        )
        page.wait_for_function(
            "(full) => window.smoke.substream === 0 && window.smoke.width < full",
            arg=full_width,
            timeout=20_000,
        )
        listed = room_participants(server, room=room, secret=secret)
        assert sorted(p["display"] for p in listed if p["publisher"]) == ["one", "two"]
    finally:
        browser.close()
        room_destroy(server, room=room, secret=secret)
