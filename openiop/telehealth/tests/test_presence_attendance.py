"""Janus events → presence intervals → attendance when the room closes (worked examples).

The session in every example runs 18:00–19:00 UTC. Late means a first join after 18:10, left
early a last leave before 18:50; drops shorter than 5 minutes are merged.
"""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from openiop.conftest import World
from openiop.scheduling.models import Attendance, AttendanceSource
from openiop.scheduling.services.attendance import attendance_minutes, attendance_record
from openiop.telehealth import services
from openiop.telehealth.models import JoinTicket, Presence, Room
from openiop.telehealth.tests.conftest import FakeJanus, make_session, sign_consent

START = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
EVENTS_URL = "/telehealth/janus-events/"


def at(hh: int, mm: int) -> datetime:
    return START.replace(hour=hh, minute=mm)


def micros(when: datetime) -> int:
    return int(when.timestamp() * 1_000_000)


def joined(room: int, feed: int, when: datetime, handle: int = 1, session: int = 1) -> dict:
    return {
        "emitter": "test",
        "type": 64,
        "timestamp": micros(when),
        "session_id": session,
        "handle_id": handle,
        "event": {
            "plugin": "janus.plugin.videoroom",
            "data": {"event": "joined", "room": room, "id": feed, "display": "Alex"},
        },
    }


def leaving(room: int, feed: int, when: datetime) -> dict:
    return {
        "type": 64,
        "timestamp": micros(when),
        "event": {
            "plugin": "janus.plugin.videoroom",
            "data": {"event": "leaving", "room": room, "id": feed},
        },
    }


@pytest.fixture
def session(world: World, fake_janus: FakeJanus):  # type: ignore[no-untyped-def]
    sign_consent(world.alex)
    sign_consent(world.blair)
    with time_machine.travel(START - timedelta(days=1)):
        made = make_session(world, starts_at=START, clients=(world.alex, world.blair))
    return made


@pytest.fixture
def room(session, fake_janus: FakeJanus) -> Room:  # type: ignore[no-untyped-def]
    with time_machine.travel(START - timedelta(minutes=10)):
        return services.room_ensure(session)


def feed_for(room: Room, user: Any, feed: int) -> int:
    """A redeemed ticket handing `feed` to `user` (as the redeem step would)."""
    JoinTicket.objects.create(
        digest=f"d{feed}",
        user=user,
        session=room.session,
        room=room,
        expires_at=START,
        used_at=START - timedelta(minutes=5),
        feed_id=feed,
    )
    return feed


def post_events(client: HttpClient, events: list[dict], secret: str = "test-events-secret"):  # type: ignore[no-untyped-def]
    auth = base64.b64encode(f"janus:{secret}".encode()).decode()
    return client.post(
        EVENTS_URL,
        data=json.dumps(events),
        content_type="application/json",
        headers={"Authorization": f"Basic {auth}"},
    )


def close(room: Room) -> dict[int, str]:
    with time_machine.travel(END + timedelta(minutes=5)):
        return services.room_close(room)


def current(session, client) -> Attendance:  # type: ignore[no-untyped-def]
    return Attendance.objects.get(session=session, client=client, is_current=True)


def test_drop_and_rejoin_is_merged_into_present(
    world: World, session, room: Room, client: HttpClient, fake_janus: FakeJanus
) -> None:
    a1, a2 = feed_for(room, world.alex.user, 11), feed_for(room, world.alex.user, 12)
    events = [
        joined(room.number, a1, at(17, 58)),
        leaving(room.number, a1, at(18, 20)),  # the phone dropped
        joined(room.number, a2, at(18, 22)),  # rejoined two minutes later
        leaving(room.number, a2, at(19, 0)),
    ]
    assert post_events(client, events).status_code == 204
    assert Presence.objects.filter(user=world.alex.user).count() == 2
    outcome = close(room)
    alex = current(session, world.alex)
    assert (alex.status, alex.source) == ("present", AttendanceSource.VIDEO)
    assert (alex.joined_at, alex.left_at) == (at(17, 58), at(19, 0))
    assert attendance_minutes(alex, session) == 60
    # Blair never came: no-show, with no times.
    blair = current(session, world.blair)
    assert (blair.status, blair.joined_at, blair.left_at) == ("no_show", None, None)
    assert outcome == {world.alex.pk: "present", world.blair.pk: "no_show"}
    assert fake_janus.destroyed == [room.number]
    room.refresh_from_db()
    assert room.destroyed_at is not None and room.attendance_done_at is not None


def test_late_and_left_early(
    world: World, session, room: Room, client: HttpClient, fake_janus: FakeJanus
) -> None:
    a, b = feed_for(room, world.alex.user, 21), feed_for(room, world.blair.user, 22)
    post_events(
        client,
        [
            joined(room.number, a, at(18, 15)),
            joined(room.number, b, at(18, 1)),
            leaving(room.number, b, at(18, 40)),
        ],
    )
    close(room)  # Alex never left: their interval is closed at the session's end
    alex, blair = current(session, world.alex), current(session, world.blair)
    assert (alex.status, alex.joined_at, alex.left_at) == ("late", at(18, 15), END)
    assert attendance_minutes(alex, session) == 45
    assert (blair.status, blair.joined_at, blair.left_at) == ("left_early", at(18, 1), at(18, 40))
    assert attendance_minutes(blair, session) == 39


def test_long_gap_is_not_merged_but_first_join_and_last_leave_are_kept(
    world: World, session, room: Room, client: HttpClient
) -> None:
    a1, a2 = feed_for(room, world.alex.user, 31), feed_for(room, world.alex.user, 32)
    post_events(
        client,
        [
            joined(room.number, a1, at(18, 0)),
            leaving(room.number, a1, at(18, 10)),
            joined(room.number, a2, at(18, 40)),
            leaving(room.number, a2, at(19, 0)),
        ],
    )
    merged = services.merge_intervals([(at(18, 0), at(18, 10)), (at(18, 40), at(19, 0))])
    assert len(merged) == 2
    close(room)
    alex = current(session, world.alex)
    assert (alex.status, alex.joined_at, alex.left_at) == ("present", at(18, 0), at(19, 0))


def test_roster_record_taken_first_is_kept(
    world: World, session, room: Room, client: HttpClient
) -> None:
    with time_machine.travel(at(18, 30)):
        attendance_record(
            session=session,
            client=world.alex,
            status="excused",
            source=AttendanceSource.ROSTER,
            actor=world.fran,
        )
    post_events(client, [joined(room.number, feed_for(room, world.alex.user, 41), at(18, 0))])
    close(room)
    assert current(session, world.alex).status == "excused"
    assert Attendance.objects.filter(session=session, client=world.alex).count() == 1


def test_closing_twice_records_once(world: World, session, room: Room) -> None:
    close(room)
    assert close(room) == {}
    assert Attendance.objects.filter(session=session).count() == 2


def test_detached_handle_and_destroyed_session_close_presence(
    world: World, session, room: Room, client: HttpClient
) -> None:
    a, b = feed_for(room, world.alex.user, 51), feed_for(room, world.blair.user, 52)
    post_events(
        client,
        [
            joined(room.number, a, at(18, 0), handle=700, session=900),
            joined(room.number, b, at(18, 0), handle=701, session=901),
            {
                "type": 2,
                "timestamp": micros(at(18, 30)),
                "handle_id": 700,
                "event": {"name": "detached"},
            },
            {
                "type": 1,
                "timestamp": micros(at(18, 45)),
                "session_id": 901,
                "event": {"name": "destroyed"},
            },
        ],
    )
    lefts = dict(Presence.objects.values_list("feed_id", "left_at"))
    assert lefts == {a: at(18, 30), b: at(18, 45)}


def test_events_need_the_password_and_tolerate_anything(
    world: World, room: Room, client: HttpClient
) -> None:
    assert client.post(EVENTS_URL, data="[]", content_type="application/json").status_code == 401
    assert post_events(client, [], secret="wrong").status_code == 401
    odd: list[Any] = [
        1,
        "x",
        {"type": 64},
        {"type": 64, "event": {"plugin": "janus.plugin.videoroom", "data": {"event": "joined"}}},
        {"type": 256, "event": {"transport": "http"}},
        joined(room.number, 999_999, at(18, 0)),  # a feed no ticket gave: ignored
    ]
    assert post_events(client, odd).status_code == 204
    assert not Presence.objects.exists()
    auth = base64.b64encode(b"janus:test-events-secret").decode()
    garbage = client.post(
        EVENTS_URL,
        data="{not json",
        content_type="application/json",
        headers={"Authorization": f"Basic {auth}"},
    )
    assert garbage.status_code == 400
    # A repeated "joined" (Janus retransmits) opens one interval only.
    feed = feed_for(room, world.alex.user, 61)
    post_events(client, [joined(room.number, feed, at(18, 0))] * 2)
    assert Presence.objects.count() == 1


def test_events_post_query_count(
    world: World,
    room: Room,
    client: HttpClient,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    feed = feed_for(room, world.alex.user, 71)
    # joined: the ticket, the open-interval check, the insert; leaving: one update.
    with django_assert_max_num_queries(6):
        post_events(
            client, [joined(room.number, feed, at(18, 0)), leaving(room.number, feed, at(18, 50))]
        )
