"""POST /api/v1/sessions/{id}/join-ticket and the redeem step: who, when, once, which room."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.tests.enrollment_support import api_headers, api_post, persona
from openiop.resources.services import partner_location_save
from openiop.scheduling.models import SessionKind, SessionStatus
from openiop.telehealth import services
from openiop.telehealth.models import JoinTicket, Participant, ParticipantState, Room
from openiop.telehealth.tests.conftest import FakeJanus, make_session, sign_consent

ALLOWED_INDIVIDUAL = ["alex", "casey", "fran", "dale"]
DENIED_INDIVIDUAL = [
    "blair",
    "quinn",
    "gale",
    "birch_director",
    "birch_clinician",
    "cora",
    "ada",
    "fay",
]


def _ticket(client: HttpClient, user, session_id: int):  # type: ignore[no-untyped-def]
    return api_post(client, api_headers(user), f"/api/v1/sessions/{session_id}/join-ticket", {})


def _redeem(client: HttpClient, user, token: str, room: int):  # type: ignore[no-untyped-def]
    return api_post(
        client,
        api_headers(user),
        "/api/v1/telehealth/tickets/redeem",
        {"token": token, "room": room},
    )


@pytest.mark.parametrize("name", ALLOWED_INDIVIDUAL)
def test_participants_get_a_ticket(
    name: str, world: World, individual_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    response = _ticket(client, persona(world, name), individual_now.pk)
    assert response.status_code == 200, response.content
    body = response.json()
    room = Room.objects.get(session=individual_now)
    assert body["room"] == room.number and 100_000_000 <= room.number <= 999_999_999
    assert body["janus_url"] == "http://127.0.0.1:9/janus"
    assert body["ice_servers"] == []  # never a public STUN server
    assert "pin" not in body and room.pin not in response.content.decode()
    ticket = JoinTicket.objects.get()
    assert ticket.digest == JoinTicket.digest_of(body["token"])  # only the digest is stored
    assert ticket.expires_at - ticket.issued_at == timedelta(minutes=2)


@pytest.mark.parametrize("name", DENIED_INDIVIDUAL)
def test_everyone_else_gets_404(
    name: str, world: World, individual_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    response = _ticket(client, persona(world, name), individual_now.pk)
    assert response.status_code == 404
    assert not JoinTicket.objects.exists() and not Room.objects.exists()


def test_group_staff_are_facilitator_care_teams_and_director(
    world: World, group_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    for name in ["fran", "casey", "quinn", "gale", "dale", "alex", "blair"]:
        assert _ticket(client, persona(world, name), group_now.pk).status_code == 200, name
    for name in ["birch_director", "birch_clinician", "cora", "ada", "fay"]:
        assert _ticket(client, persona(world, name), group_now.pk).status_code == 404, name
    assert fake_janus.creates == 1  # one room, created by the first ticket


def test_too_early_is_403_saying_when_it_opens(
    world: World, fake_janus: FakeJanus, client: HttpClient
) -> None:
    sign_consent(world.alex)
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    session = make_session(world, starts_at=start, clients=(world.alex,))
    response = _ticket(client, world.alex.user, session.pk)
    assert response.status_code == 403
    opens = timezone.localtime(start - timedelta(minutes=15), ZoneInfo("America/Chicago"))
    assert response.json()["detail"] == f"Opens at {opens:%a %d %b %H:%M} (America/Chicago)"
    assert not Room.objects.exists()
    with time_machine.travel(start - timedelta(minutes=14)):
        assert _ticket(client, world.alex.user, session.pk).status_code == 200
    with time_machine.travel(start + timedelta(minutes=61)):
        late = _ticket(client, world.alex.user, session.pk)
        assert late.status_code == 403 and late.json()["detail"] == services.ENDED


def test_cancelled_session_is_refused(
    world: World, group_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    group_now.status = SessionStatus.CANCELLED
    group_now.save()
    response = _ticket(client, world.alex.user, group_now.pk)
    assert response.status_code == 409 and response.json()["detail"] == services.CANCELLED


def test_an_in_person_session_has_no_video_room(
    world: World, group_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    group_now.in_person_location = partner_location_save(
        program=world.program,
        actor=world.dale,
        name="Northside Community Center (demo)",
        address_line="100 Example Ave",
        city="Chicago",
        region="IL",
        postal_code="60614",
        directions="",
    )
    group_now.save()
    response = _ticket(client, world.alex.user, group_now.pk)
    assert response.status_code == 409 and response.json()["detail"] == services.IN_PERSON
    assert not Room.objects.exists()


def test_client_without_telehealth_consent_is_refused(
    world: World, fake_janus: FakeJanus, client: HttpClient
) -> None:
    session = make_session(world, starts_at=timezone.now(), clients=(world.alex,))
    response = _ticket(client, world.alex.user, session.pk)
    assert response.status_code == 403 and response.json()["detail"] == services.NEEDS_CONSENT


def test_janus_down_is_503_with_the_dial_in_number(
    world: World, group_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    world.program.dial_in_phone = "+1 555 0100 123"
    world.program.save()
    fake_janus.down = True
    response = _ticket(client, world.fran, group_now.pk)
    assert response.status_code == 503
    assert response.json()["dial_in_phone"] == "+1 555 0100 123"
    assert "+1 555 0100 123" in response.json()["detail"]
    assert not Room.objects.exists()  # nothing half-made; the next try creates the room


def test_janus_on_a_closed_port_is_503(
    world: World, group_now, settings, client: HttpClient
) -> None:
    settings.JANUS_URLS = ["http://127.0.0.1:9/janus"]  # nothing listens on the discard port
    response = _ticket(client, world.fran, group_now.pk)
    assert response.status_code == 503 and "dial_in_phone" in response.json()


def _admitted(world: World, session, user) -> None:  # type: ignore[no-untyped-def]
    Participant.objects.update_or_create(
        session=session,
        user=user,
        defaults={"state": ParticipantState.ADMITTED, "prejoined_at": timezone.now()},
    )


def test_redeem_gives_the_pin_once(
    world: World, group_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    _admitted(world, group_now, world.alex.user)
    body = _ticket(client, world.alex.user, group_now.pk).json()
    redeemed = _redeem(client, world.alex.user, body["token"], body["room"])
    assert redeemed.status_code == 200, redeemed.content
    room = Room.objects.get()
    answer = redeemed.json()
    assert answer["pin"] == room.pin and answer["display"] == "Alex" and not answer["is_staff"]
    assert JoinTicket.objects.get().feed_id == answer["feed_id"]
    replay = _redeem(client, world.alex.user, body["token"], body["room"])
    assert replay.status_code == 403 and replay.json()["detail"] == services.BAD_TICKET
    types = list(AuditEvent.objects.values_list("object_type", flat=True))
    assert "telehealth.join_ticket" in types and "telehealth.room_entry" in types
    # The room only lets in holders of a token put on its access list at redemption.
    assert room.number in fake_janus.acl_on
    assert fake_janus.allowed[room.number] == {answer["janus_token"]}


def test_janus_down_at_redemption_is_503_and_the_ticket_stays_usable(
    world: World, group_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    _admitted(world, group_now, world.alex.user)
    body = _ticket(client, world.alex.user, group_now.pk).json()
    fake_janus.down = True
    down = _redeem(client, world.alex.user, body["token"], body["room"])
    assert down.status_code == 503 and "not available" in down.json()["detail"]
    assert JoinTicket.objects.get().used_at is None  # the claim rolled back with it
    fake_janus.down = False
    assert _redeem(client, world.alex.user, body["token"], body["room"]).status_code == 200


def test_expired_ticket_is_refused(
    world: World, group_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    _admitted(world, group_now, world.alex.user)
    body = _ticket(client, world.alex.user, group_now.pk).json()
    with time_machine.travel(timezone.now() + timedelta(minutes=2, seconds=1)):
        late = _redeem(client, world.alex.user, body["token"], body["room"])
    assert late.status_code == 403 and "pin" not in late.json()


def test_forged_room_number_and_another_persons_ticket_are_refused(
    world: World, group_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    _admitted(world, group_now, world.alex.user)
    body = _ticket(client, world.alex.user, group_now.pk).json()
    forged = _redeem(client, world.alex.user, body["token"], body["room"] + 1)
    assert forged.status_code == 403
    stolen = _redeem(client, world.blair.user, body["token"], body["room"])
    assert stolen.status_code == 403
    assert JoinTicket.objects.get().used_at is None  # still good for its owner and room
    assert _redeem(client, world.alex.user, body["token"], body["room"]).status_code == 200


def test_ticket_for_room_a_is_useless_in_room_b(
    world: World, group_now, individual_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    _admitted(world, group_now, world.alex.user)
    _admitted(world, individual_now, world.alex.user)
    a = _ticket(client, world.alex.user, group_now.pk).json()
    b = _ticket(client, world.alex.user, individual_now.pk).json()
    assert a["room"] != b["room"]
    refused = _redeem(client, world.alex.user, a["token"], b["room"])
    assert refused.status_code == 403 and "pin" not in refused.json()


def test_client_must_be_admitted_before_learning_the_pin(
    world: World, group_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    body = _ticket(client, world.alex.user, group_now.pk).json()
    waiting = _redeem(client, world.alex.user, body["token"], body["room"])
    assert waiting.status_code == 409 and waiting.json()["detail"] == services.NOT_ADMITTED
    assert JoinTicket.objects.get().used_at is None


def test_removed_client_gets_no_ticket(
    world: World, group_now, fake_janus: FakeJanus, client: HttpClient
) -> None:
    Participant.objects.create(
        session=group_now, user=world.alex.user, state=ParticipantState.REMOVED
    )
    response = _ticket(client, world.alex.user, group_now.pk)
    assert response.status_code == 403 and response.json()["detail"] == services.REMOVED


def test_room_is_created_once_and_reused(world: World, group_now, fake_janus: FakeJanus) -> None:
    first = services.room_ensure(group_now)
    second = services.room_ensure(group_now)
    assert first.pk == second.pk and fake_janus.creates == 1
    assert Room.objects.count() == 1
    created = fake_janus.rooms[first.number]
    assert created["pin"] == first.pin and created["secret"] == first.secret
    assert created["publishers"] == 8 + services.EXTRA_PUBLISHERS


def test_ticket_query_count(
    world: World,
    individual_now,
    fake_janus: FakeJanus,
    client: HttpClient,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    headers = api_headers(world.alex.user)
    url = f"/api/v1/sessions/{individual_now.pk}/join-ticket"
    api_post(client, headers, url, {})  # the room is created by the first one
    # token, session (+client), consent, participant, room lock, ticket insert, audit chain
    with django_assert_max_num_queries(16):
        assert api_post(client, headers, url, {}).status_code == 200


def test_individual_session_kind_has_one_seat_plus_staff(
    world: World, fake_janus: FakeJanus
) -> None:
    sign_consent(world.alex)
    session = make_session(
        world,
        starts_at=timezone.now(),
        kind=SessionKind.INDIVIDUAL,
        facilitator=world.casey,
        clients=(world.alex,),
    )
    room = services.room_ensure(session)
    assert fake_janus.rooms[room.number]["publishers"] == 1 + services.EXTRA_PUBLISHERS
