"""Rooms against the real Janus the harness starts: created just in time by the first ticket
(once, with its PIN and secret), refused outside the rules, destroyed when the session ends."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.conftest import World
from openiop.programs.tests.enrollment_support import api_headers, api_post
from openiop.telehealth import janus, services
from openiop.telehealth.models import Room
from openiop.telehealth.testing import JanusNetns
from openiop.telehealth.tests.conftest import make_session, sign_consent


@pytest.fixture
def session(world: World):  # type: ignore[no-untyped-def]
    sign_consent(world.alex)
    return make_session(
        world, starts_at=timezone.now() + timedelta(minutes=10), clients=(world.alex,)
    )


def test_room_lifecycle_on_a_real_janus(
    world: World, session, janus_settings: JanusNetns, client: HttpClient
) -> None:
    url = f"/api/v1/sessions/{session.pk}/join-ticket"
    first = api_post(client, api_headers(world.alex.user), url, {})
    assert first.status_code == 200, first.content
    assert first.json()["janus_url"] == janus_settings.janus_url
    room = Room.objects.get(session=session)
    server = janus_settings.server
    assert janus.room_exists(server, room=room.number)
    # The room is private and protected: its participant list needs the secret Django holds.
    assert janus.room_participants(server, room=room.number, secret=room.secret) == []
    with pytest.raises(janus.JanusError):
        janus.room_participants(server, room=room.number, secret="guess")
    second = api_post(client, api_headers(world.fran), url, {})
    assert second.status_code == 200 and second.json()["room"] == room.number
    assert Room.objects.count() == 1
    services.room_close(room, now=session.ends_at + services.CLOSE_AFTER_END)
    assert not janus.room_exists(server, room=room.number)
    with time_machine.travel(session.ends_at + timedelta(minutes=1)):
        late = api_post(client, api_headers(world.alex.user), url, {})
    assert late.status_code == 403


def test_tickets_refused_outside_the_window_make_no_room(
    world: World, janus_settings: JanusNetns, client: HttpClient
) -> None:
    sign_consent(world.alex)
    later = make_session(
        world, starts_at=timezone.now() + timedelta(hours=1), clients=(world.alex,)
    )
    response = api_post(
        client, api_headers(world.alex.user), f"/api/v1/sessions/{later.pk}/join-ticket", {}
    )
    assert response.status_code == 403 and response.json()["detail"].startswith("Opens at")
    assert not Room.objects.exists()
    denied = api_post(
        client, api_headers(world.blair.user), f"/api/v1/sessions/{later.pk}/join-ticket", {}
    )
    assert denied.status_code == 404


def test_only_a_redeemed_token_opens_the_room_and_removal_withdraws_it(
    world: World, session, janus_settings: JanusNetns, client: HttpClient
) -> None:
    """The PIN alone is not enough: Janus checks the room's access list, which gets one token
    per redemption; removing the person takes their token off, so even a page (or anyone)
    still holding the PIN and token cannot come back in."""
    ticket = api_post(
        client, api_headers(world.fran), f"/api/v1/sessions/{session.pk}/join-ticket", {}
    ).json()
    answer = api_post(
        client,
        api_headers(world.fran),
        "/api/v1/telehealth/tickets/redeem",
        {"token": ticket["token"], "room": ticket["room"]},
    ).json()
    server = janus_settings.server
    join = {"request": "join", "ptype": "publisher", "room": answer["room"], "pin": answer["pin"]}
    with janus.videoroom(server) as holder:
        holder.send({**join, "token": answer["janus_token"]})
        assert holder.wait_for("joined")["room"] == answer["room"]
    with janus.videoroom(server) as stranger:
        stranger.send(join)  # the PIN without a token
        with pytest.raises(janus.JanusError) as refused:
            stranger.wait_for("joined")
        assert refused.value.code == janus.UNAUTHORIZED
    # A client let in and then removed: their token no longer opens the room.
    services.prejoin_complete(
        user=world.alex.user,
        session=session,
        client=world.alex,
        answers=services.PrejoinAnswers(
            rtt_ms=40,
            throughput_kbps=2000,
            camera_ok=True,
            mode="video",
            private=True,
            address="1 Test Lane",
            city="Testville",
            region="IL",
            postal_code="60000",
            country="US",
        ),
    )
    services.participants_admit(session=session, actor=world.fran)
    alex_ticket = api_post(
        client, api_headers(world.alex.user), f"/api/v1/sessions/{session.pk}/join-ticket", {}
    ).json()
    alex = api_post(
        client,
        api_headers(world.alex.user),
        "/api/v1/telehealth/tickets/redeem",
        {"token": alex_ticket["token"], "room": alex_ticket["room"]},
    ).json()
    services.participant_control(
        session=session, actor=world.fran, user_id=world.alex.user.pk, action="remove"
    )
    with janus.videoroom(server) as removed:
        removed.send({**join, "token": alex["janus_token"]})
        with pytest.raises(janus.JanusError) as again:
            removed.wait_for("joined")
        assert again.value.code == janus.UNAUTHORIZED
