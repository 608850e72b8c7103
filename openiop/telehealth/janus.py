"""A small adapter over the Janus HTTP API (videoroom plugin), for Django's side of video.

Django only manages rooms (create, check, list, kick, mute, destroy); the media and the
participants' own signalling go from the browser to Janus directly with janus.js.

Each call opens a Janus session, attaches the videoroom plugin, sends one request and destroys
the session (four loopback round trips, a few milliseconds); nothing is cached between calls,
so a restarted Janus never leaves a stale handle behind. Use `videoroom(server)` to send
several requests over one session.

Every failure is one of two exceptions:
- `JanusUnavailable`: the server cannot be reached, times out (3 s) or answers garbage; the
  page should say so plainly and show the program's dial-in number;
- `JanusError`: Janus answered with an error (`code`, `reason`), e.g. `NO_SUCH_ROOM` (426),
  `ROOM_EXISTS` (427), `UNAUTHORIZED` (433, wrong room secret or admin key).

Settings (openiop/settings.py): `JANUS_URLS` (env `JANUS_URL`, comma-separated; an entry
``internal|public`` gives the URL Django uses and the one browsers use, e.g. behind a TLS
proxy), `JANUS_ADMIN_KEY` (the videoroom `admin_key`), `JANUS_EVENTS_URL` and
`JANUS_EVENTS_SECRET` (where Janus posts its events, basic auth user `janus`).

Per-participant access: `room_allow(..., action="enable")` makes Janus refuse any join
without a listed `token` (even with the PIN). Services enable it when a room is created, add
one token per ticket redemption and remove a person's tokens when they are removed or lose
access (a family member whose consent ends).

Several servers: `pick_server(room_key)` spreads rooms over `configured_servers()` by
rendezvous hashing (the same room key always lands on the same server while it is up; a
server that just failed is skipped for 30 s). Store the chosen server's `url` with the room
and find it again with `server_for_url(url)`: do not call `pick_server` again for a room that
already exists.

Browser side (static files, served only when the Debian packages are installed; see
STATICFILES_DIRS in settings):
    {% static "webrtc-adapter/adapter.js" %}  -> /usr/share/javascript/webrtc-adapter/adapter.js
    {% static "janus-gateway/janus.js" %}     -> /usr/share/javascript/janus-gateway/janus.js
Load adapter.js first, then `Janus.init({dependencies: Janus.useDefaultDependencies({adapter:
window.adapter})})` and `new Janus({server: server.browser_url, iceServers: [...]})` (pass
`iceServers` always: `[]` or the TURN entry from `openiop.telehealth.turn`; otherwise janus.js
falls back to a public STUN server). The page's CSP needs the Janus origin in `connect-src`.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

PLUGIN = "janus.plugin.videoroom"
TIMEOUT_SECONDS = 3.0
DOWN_FOR_SECONDS = 30.0

# Videoroom error codes worth naming (janus_videoroom.c).
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427
NO_SUCH_FEED = 428
UNAUTHORIZED = 433
# Core error codes (janus.h / apierror.h).
SESSION_NOT_FOUND = 458
HANDLE_NOT_FOUND = 459


class JanusUnavailable(Exception):
    """The Janus server could not be reached or did not answer properly in time."""


class JanusError(Exception):
    """Janus answered with an error."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class JanusServer:
    url: str  # the HTTP API as Django reaches it, e.g. http://127.0.0.1:8088/janus
    admin_key: str = ""
    public_url: str = ""  # the same API as browsers reach it (empty: the same as `url`)

    @property
    def browser_url(self) -> str:
        return self.public_url or self.url

    @property
    def browser_origin(self) -> str:
        """scheme://host[:port] of `browser_url`, for the page's CSP connect-src."""
        parts = urlsplit(self.browser_url)
        return f"{parts.scheme}://{parts.netloc}"


def _parse(entry: str, admin_key: str) -> JanusServer:
    url, _, public = entry.partition("|")
    return JanusServer(
        url=url.strip().rstrip("/"), admin_key=admin_key, public_url=public.strip().rstrip("/")
    )


def configured_servers() -> list[JanusServer]:
    """The Janus servers of this deployment, in settings order (may be empty: no video)."""
    admin_key = str(getattr(settings, "JANUS_ADMIN_KEY", ""))
    urls = getattr(settings, "JANUS_URLS", [])
    if isinstance(urls, str):
        urls = urls.split(",")
    return [_parse(entry, admin_key) for entry in urls if entry.strip()]


def server_for_url(url: str) -> JanusServer:
    """The configured server whose `url` this is (rooms store it); a server that has since
    left the settings is still reachable with the current admin key."""
    url = url.rstrip("/")
    for server in configured_servers():
        if server.url == url:
            return server
    return JanusServer(url=url, admin_key=str(getattr(settings, "JANUS_ADMIN_KEY", "")))


# --- which server holds a room ----------------------------------------------------------------

_down_until: dict[str, float] = {}
_down_lock = threading.Lock()


def mark_down(server: JanusServer, seconds: float = DOWN_FOR_SECONDS) -> None:
    """Skip `server` in `pick_server` for a while (done automatically on JanusUnavailable)."""
    with _down_lock:
        _down_until[server.url] = time.monotonic() + seconds


def mark_up(server: JanusServer) -> None:
    with _down_lock:
        _down_until.pop(server.url, None)


def is_down(server: JanusServer) -> bool:
    with _down_lock:
        until = _down_until.get(server.url)
        if until is None:
            return False
        if until <= time.monotonic():
            del _down_until[server.url]
            return False
        return True


def _weight(server: JanusServer, room_key: int) -> int:
    digest = hashlib.sha256(f"{server.url}\n{room_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def pick_server(room_key: int, servers: list[JanusServer] | None = None) -> JanusServer:
    """The server a new room with this key should live on (rendezvous hashing: adding or
    removing a server moves only the rooms that must move). Servers marked down are skipped
    unless every server is down. Raises JanusUnavailable when none is configured."""
    candidates = configured_servers() if servers is None else list(servers)
    if not candidates:
        raise JanusUnavailable("No Janus server is configured (settings.JANUS_URLS).")
    up = [server for server in candidates if not is_down(server)] or candidates
    return max(up, key=lambda server: _weight(server, room_key))


# --- the HTTP API -------------------------------------------------------------------------------

# No proxies: Janus is on our own network, and an http_proxy in the environment must not
# carry room secrets elsewhere.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _transaction() -> str:
    return secrets.token_hex(8)


def _call(
    server: JanusServer,
    path: str,
    body: dict[str, Any] | None,
    *,
    timeout: float = TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """POST `body` (or GET when None) to server.url + path; the decoded answer. Raises
    JanusUnavailable on any transport problem and JanusError on a Janus error answer."""
    answer = _fetch(server, path, body, timeout=timeout)
    if not isinstance(answer, dict):
        mark_down(server)
        raise JanusUnavailable(f"{server.url}{path}: unexpected answer")
    if answer.get("janus") == "error":
        problem = answer.get("error") or {}
        raise JanusError(int(problem.get("code", 0)), str(problem.get("reason", "")))
    return answer


def _fetch(server: JanusServer, path: str, body: dict[str, Any] | None, *, timeout: float) -> Any:
    url = server.url + path
    if urlsplit(url).scheme not in {"http", "https"}:
        raise JanusUnavailable(f"{url!r} is not an http(s) URL (settings.JANUS_URLS)")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url,
        data=data,
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json"} if data is not None else {},
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        raw = error.read()
        if not raw:
            mark_down(server)
            raise JanusUnavailable(f"{url}: HTTP {error.code}") from error
    except (OSError, http.client.HTTPException, ValueError) as error:
        # URLError, refused, reset, timeouts (TimeoutError is an OSError), bad URLs.
        mark_down(server)
        raise JanusUnavailable(f"{url}: {error}") from error
    try:
        return json.loads(raw)
    except ValueError as error:
        mark_down(server)
        raise JanusUnavailable(f"{url}: not JSON") from error


def server_info(server: JanusServer) -> dict[str, Any]:
    """Janus's `info` answer (name, version, plugins…); a cheap health check."""
    answer = _call(server, "/info", None)
    if answer.get("janus") != "server_info":
        raise JanusUnavailable(f"{server.url}/info: unexpected answer")
    mark_up(server)
    return answer


class VideoroomHandle:
    """One Janus session with the videoroom plugin attached (see `videoroom`)."""

    def __init__(self, server: JanusServer, session_id: int, handle_id: int) -> None:
        self.server = server
        self.session_id = session_id
        self.handle_id = handle_id

    def request(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous videoroom request (create, exists, listparticipants, kick…); the
        plugin's answer data. Raises JanusError when the plugin refuses."""
        answer = _call(
            self.server,
            f"/{self.session_id}/{self.handle_id}",
            {"janus": "message", "transaction": _transaction(), "body": body},
        )
        data = (answer.get("plugindata") or {}).get("data")
        if answer.get("janus") != "success" or not isinstance(data, dict):
            raise JanusUnavailable(f"{self.server.url}: unexpected answer to {body['request']}")
        if "error_code" in data:
            raise JanusError(int(data["error_code"]), str(data.get("error", "")))
        return data

    def send(self, body: dict[str, Any], jsep: dict[str, Any] | None = None) -> None:
        """An asynchronous request (join, configure…): Janus acknowledges it and answers
        later through `events`."""
        message: dict[str, Any] = {"janus": "message", "transaction": _transaction(), "body": body}
        if jsep is not None:
            message["jsep"] = jsep
        answer = _call(self.server, f"/{self.session_id}/{self.handle_id}", message)
        if answer.get("janus") not in {"ack", "success"}:
            raise JanusUnavailable(f"{self.server.url}: unexpected answer to {body['request']}")

    def events(self, *, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait up to `timeout` seconds for this session's pending events (long poll)."""
        deadline = time.monotonic() + timeout
        while True:
            # Janus holds the poll up to 30 s, then answers a keepalive.
            answer = _fetch(
                self.server,
                f"/{self.session_id}?maxev=10&rid={int(time.time() * 1000)}",
                None,
                timeout=30 + TIMEOUT_SECONDS,
            )
            items = answer if isinstance(answer, list) else [answer]
            events = [
                item
                for item in items
                if isinstance(item, dict) and item.get("janus") != "keepalive"
            ]
            if events or time.monotonic() >= deadline:
                return events

    def wait_for(self, event: str, *, timeout: float = 5.0) -> dict[str, Any]:
        """The plugin data of the next event whose `videoroom` (or `event`) field is `event`;
        raises JanusError when the plugin answers with an error instead."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            for item in self.events(timeout=left):
                data = (item.get("plugindata") or {}).get("data") or {}
                if "error_code" in data:
                    raise JanusError(int(data["error_code"]), str(data.get("error", "")))
                if event in (data.get("videoroom"), data.get("event")):
                    return data
        raise JanusUnavailable(f"{self.server.url}: no {event!r} event in {timeout} s")


@contextmanager
def videoroom(server: JanusServer) -> Iterator[VideoroomHandle]:
    """A Janus session with the videoroom plugin attached, destroyed on exit."""
    created = _call(server, "", {"janus": "create", "transaction": _transaction()})
    session_id = int(created["data"]["id"])
    try:
        attached = _call(
            server,
            f"/{session_id}",
            {"janus": "attach", "plugin": PLUGIN, "transaction": _transaction()},
        )
        yield VideoroomHandle(server, session_id, int(attached["data"]["id"]))
    finally:
        # If this fails the session times out on its own (60 s).
        with suppress(JanusError, JanusUnavailable):
            _call(server, f"/{session_id}", {"janus": "destroy", "transaction": _transaction()})


def _request(server: JanusServer, body: dict[str, Any]) -> dict[str, Any]:
    with videoroom(server) as handle:
        return handle.request(body)


# --- rooms --------------------------------------------------------------------------------------


def room_create(
    server: JanusServer,
    *,
    room: int,
    secret: str,
    pin: str,
    description: str,
    publishers: int,
    bitrate: int = 0,
) -> None:
    """Create a private, unrecorded room (VP8 for simulcast, Opus) for this server's process
    only (`permanent` false: a Janus restart forgets it). `publishers` caps how many
    participants may send media at once. `bitrate` caps each publisher (0: no cap; the
    browser's simulcast layers do the adapting). Raises JanusError(ROOM_EXISTS) on a clash."""
    _request(
        server,
        {
            "request": "create",
            "admin_key": server.admin_key,
            "room": room,
            "permanent": False,
            "description": description[:100],
            "is_private": True,
            "secret": secret,
            "pin": pin,
            "publishers": publishers,
            "bitrate": bitrate,
            "fir_freq": 10,
            "audiocodec": "opus",
            "videocodec": "vp8",
            "record": False,
            "lock_record": True,
            "notify_joining": True,
        },
    )


def room_destroy(server: JanusServer, *, room: int, secret: str) -> bool:
    """Destroy the room, disconnecting everyone in it. False when it was already gone."""
    try:
        _request(server, {"request": "destroy", "room": room, "secret": secret, "permanent": False})
    except JanusError as error:
        if error.code == NO_SUCH_ROOM:
            return False
        raise
    return True


def room_exists(server: JanusServer, *, room: int) -> bool:
    return bool(_request(server, {"request": "exists", "room": room}).get("exists"))


def room_participants(server: JanusServer, *, room: int, secret: str) -> list[dict[str, Any]]:
    """Everyone in the room: `id`, `display`, `publisher` (sending media), `talking`…
    The secret is checked here even though the plugin itself does not ask for it, so a
    wrong secret is refused like for the other staff operations."""
    with videoroom(server) as handle:
        # "edit" with nothing to change is the plugin's cheapest secret check.
        handle.request({"request": "edit", "room": room, "secret": secret})
        data = handle.request({"request": "listparticipants", "room": room})
    return list(data.get("participants") or [])


def room_kick(server: JanusServer, *, room: int, secret: str, participant_id: int) -> None:
    """Remove a participant (their janus.js sees the handle hang up)."""
    _request(server, {"request": "kick", "room": room, "secret": secret, "id": participant_id})


def room_moderate_mute(
    server: JanusServer,
    *,
    room: int,
    secret: str,
    participant_id: int,
    mid: str,
    mute: bool = True,
) -> None:
    """Mute (or unmute) one of a publisher's streams for everyone, by its `mid` (as listed in
    the publisher's `streams`); the publisher cannot unmute it themselves."""
    _request(
        server,
        {
            "request": "moderate",
            "room": room,
            "secret": secret,
            "id": participant_id,
            "mid": mid,
            "mute": mute,
        },
    )


def room_allow(
    server: JanusServer,
    *,
    room: int,
    secret: str,
    action: str,
    tokens: list[str] | None = None,
) -> list[str]:
    """The room's access list (videoroom `allowed`): `enable` makes every join need a `token`
    that is on the list, `add`/`remove` change it, `disable` lets anyone with the PIN in
    again. Returns the tokens now allowed."""
    if action not in {"enable", "disable", "add", "remove"}:
        raise ValueError(f"unknown action {action!r}")
    body: dict[str, Any] = {"request": "allowed", "room": room, "secret": secret, "action": action}
    if tokens is not None:
        body["allowed"] = list(tokens)
    return list(_request(server, body).get("allowed") or [])
