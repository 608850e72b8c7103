"""The Janus adapter against a real Janus the harness starts in a network namespace."""

import secrets
import time
from collections import Counter

import pytest

from openiop.telehealth import janus
from openiop.telehealth.janus import (
    JanusError,
    JanusServer,
    JanusUnavailable,
    configured_servers,
    pick_server,
    room_allow,
    room_create,
    room_destroy,
    room_exists,
    room_kick,
    room_moderate_mute,
    room_participants,
    server_for_url,
    server_info,
)
from openiop.telehealth.testing import EventSink, JanusNetns


def _room() -> int:
    return secrets.randbelow(2**40) + 1


def _wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture(autouse=True)
def _nothing_marked_down():
    janus._down_until.clear()
    yield
    janus._down_until.clear()


def test_room_lifecycle(janus_netns: JanusNetns, janus_events: EventSink) -> None:
    server = janus_netns.server
    room, secret, pin = _room(), "room-secret", "2468"
    assert server_info(server)["plugins"].keys() == {"janus.plugin.videoroom"}
    assert not room_exists(server, room=room)

    room_create(server, room=room, secret=secret, pin=pin, description="Group", publishers=8)
    assert room_exists(server, room=room)
    with pytest.raises(JanusError) as clash:
        room_create(server, room=room, secret=secret, pin=pin, description="Group", publishers=8)
    assert clash.value.code == janus.ROOM_EXISTS
    assert room_participants(server, room=room, secret=secret) == []

    with janus.videoroom(server) as participant:
        # A wrong PIN does not get in.
        participant.send({"request": "join", "ptype": "publisher", "room": room, "pin": "0"})
        with pytest.raises(JanusError) as refused:
            participant.wait_for("joined")
        assert refused.value.code == janus.UNAUTHORIZED

        participant.send(
            {"request": "join", "ptype": "publisher", "room": room, "pin": pin, "display": "P1"}
        )
        joined = participant.wait_for("joined")
        listed = room_participants(server, room=room, secret=secret)
        assert [(p["id"], p["display"]) for p in listed] == [(joined["id"], "P1")]

        with pytest.raises(JanusError) as no_stream:  # nothing published yet
            room_moderate_mute(
                server, room=room, secret=secret, participant_id=joined["id"], mid="0"
            )
        assert no_stream.value.code == janus.NO_SUCH_FEED

        room_kick(server, room=room, secret=secret, participant_id=joined["id"])
        assert participant.wait_for("event")["leaving"] == "ok"
        assert room_participants(server, room=room, secret=secret) == []

    assert room_destroy(server, room=room, secret=secret) is True
    assert not room_exists(server, room=room)
    assert room_destroy(server, room=room, secret=secret) is False  # already gone: no error

    # Janus told Django's side what happened, with the events password.
    sink = janus_events
    _wait_until(lambda: any(e["room"] == room for e in sink.plugin_events("destroyed")))
    assert [e["id"] for e in sink.plugin_events("joined") if e["room"] == room] == [joined["id"]]
    assert [e["id"] for e in sink.plugin_events("kicked") if e["room"] == room] == [joined["id"]]
    assert sink.refused == 0


def test_wrong_admin_key_or_secret_refused(janus_netns: JanusNetns) -> None:
    server = janus_netns.server
    room = _room()
    intruder = JanusServer(url=server.url, admin_key="not-the-key")
    with pytest.raises(JanusError) as no_key:
        room_create(intruder, room=room, secret="s", pin="1", description="x", publishers=2)
    assert no_key.value.code == janus.UNAUTHORIZED
    assert not room_exists(server, room=room)

    room_create(server, room=room, secret="right", pin="1", description="x", publishers=2)
    for call in (
        lambda: room_destroy(server, room=room, secret="wrong"),
        lambda: room_participants(server, room=room, secret="wrong"),
        lambda: room_kick(server, room=room, secret="wrong", participant_id=1),
    ):
        with pytest.raises(JanusError) as refused:
            call()
        assert refused.value.code == janus.UNAUTHORIZED
    assert room_exists(server, room=room)
    with pytest.raises(JanusError) as missing:
        room_participants(server, room=room + 1, secret="right")
    assert missing.value.code == janus.NO_SUCH_ROOM
    assert room_destroy(server, room=room, secret="right")


def test_unreachable_server_fails_fast(janus_netns: JanusNetns) -> None:
    # Nothing listens on this port inside the namespace; a blackholed address times out.
    refused = JanusServer(url=f"http://{janus_netns.inside_ip}:9/janus", admin_key="k")
    started = time.monotonic()
    with pytest.raises(JanusUnavailable):
        room_exists(refused, room=1)
    assert time.monotonic() - started < 1
    assert janus.is_down(refused)

    silent = JanusServer(url=f"http://{janus_netns.root_ip[:-1]}77:8088/janus", admin_key="k")
    started = time.monotonic()
    with pytest.raises(JanusUnavailable):
        server_info(silent)
    assert time.monotonic() - started < janus.TIMEOUT_SECONDS + 1

    with pytest.raises(JanusUnavailable):
        server_info(JanusServer(url="not a url"))


def test_settings_and_spreading_rooms(janus_netns: JanusNetns, settings) -> None:
    second = f"http://{janus_netns.root_ip}:9/janus"  # a second server, down
    settings.JANUS_URLS = [f"{janus_netns.janus_url}|https://media.example.org/janus", second]
    settings.JANUS_ADMIN_KEY = janus_netns.admin_key
    servers = configured_servers()
    assert [s.url for s in servers] == [janus_netns.janus_url, second]
    assert servers[0].browser_url == "https://media.example.org/janus"
    assert servers[0].browser_origin == "https://media.example.org"
    assert servers[1].browser_url == second
    assert server_for_url(second + "/") == servers[1]
    assert server_for_url("http://gone:8088/janus").admin_key == janus_netns.admin_key

    # Deterministic, and spread over both.
    picks = [pick_server(room) for room in range(200)]
    assert picks == [pick_server(room) for room in range(200)]
    counts = Counter(server.url for server in picks)
    assert set(counts) == {janus_netns.janus_url, second}
    assert min(counts.values()) > 60

    # A server that failed is skipped for new rooms; the rest keep their server.
    with pytest.raises(JanusUnavailable):
        server_info(servers[1])
    assert {pick_server(room).url for room in range(200)} == {janus_netns.janus_url}
    janus.mark_up(servers[1])
    assert [pick_server(room) for room in range(200)] == picks
    # Every server down: still an answer (the caller's request will say it is unavailable).
    janus.mark_down(servers[0])
    janus.mark_down(servers[1])
    assert [pick_server(room) for room in range(20)] == picks[:20]

    settings.JANUS_URLS = []
    with pytest.raises(JanusUnavailable):
        pick_server(1)


def test_created_room_is_private_and_each_call_cleans_up(janus_netns: JanusNetns) -> None:
    server = janus_netns.server
    room = _room()
    room_create(server, room=room, secret="s", pin="p", description="Private", publishers=3)
    try:
        with janus.videoroom(server) as handle:
            listed = handle.request({"request": "list"})["list"]
        assert room not in [r["room"] for r in listed]  # never listed publicly
        with janus.videoroom(server) as handle:
            listed = handle.request({"request": "list", "admin_key": server.admin_key})["list"]
        (ours,) = [r for r in listed if r["room"] == room]
        assert ours["max_publishers"] == 3
        assert ours["record"] is False
        assert ours["audiocodec"] == "opus"
        assert ours["videocodec"] == "vp8"
        assert ours["pin_required"] is True
    finally:
        room_destroy(server, room=room, secret="s")


def test_access_list_lets_only_token_holders_in(janus_netns: JanusNetns) -> None:
    server = janus_netns.server
    room, secret, pin = _room(), "s", "p"
    room_create(server, room=room, secret=secret, pin=pin, description="x", publishers=3)
    try:
        assert room_allow(server, room=room, secret=secret, action="add", tokens=["t1"]) == ["t1"]
        room_allow(server, room=room, secret=secret, action="enable")
        join = {"request": "join", "ptype": "publisher", "room": room, "pin": pin}
        with janus.videoroom(server) as stranger:
            stranger.send({**join, "token": "t2"})  # right PIN, token not on the list
            with pytest.raises(JanusError) as refused:
                stranger.wait_for("joined")
            assert refused.value.code == janus.UNAUTHORIZED
        with janus.videoroom(server) as holder:
            holder.send({**join, "token": "t1"})
            assert holder.wait_for("joined")["room"] == room
        assert room_allow(server, room=room, secret=secret, action="remove", tokens=["t1"]) == []
        with pytest.raises(JanusError):
            room_allow(server, room=room, secret="wrong", action="add", tokens=["t3"])
        with pytest.raises(ValueError):
            room_allow(server, room=room, secret=secret, action="everyone")
    finally:
        room_destroy(server, room=room, secret=secret)
