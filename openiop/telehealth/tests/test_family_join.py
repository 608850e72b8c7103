"""A family member joins a family session's video room under the client's consent (#10), like
a client: pre-join, waiting room, admitted by staff; and is out of the room the moment the
consent is revoked (seat closed, Janus feed kicked, unused ticket dead)."""

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.tests.enrollment_support import api_headers, api_post
from openiop.resources.models import FamilyConsent
from openiop.resources.services import family_consent_revoke
from openiop.resources.tests.support import alex_shares_with_fay
from openiop.scheduling.models import Attendance, Session, SessionKind
from openiop.telehealth import services
from openiop.telehealth.models import JoinTicket, Participant, ParticipantState, Presence, Room
from openiop.telehealth.tests.conftest import FakeJanus, make_session, sign_consent, signed_in
from openiop.telehealth.tests.test_pages import CHECKS


def shared(world: World, *scopes: str) -> FamilyConsent:
    return alex_shares_with_fay(world, *scopes)


def session_now(world: World, kind: str = SessionKind.FAMILY) -> Session:
    sign_consent(world.alex)
    return make_session(
        world,
        starts_at=timezone.now() - timedelta(minutes=5),
        minutes=50,
        kind=kind,
        facilitator=world.casey,
        clients=(world.alex,),
    )


def ticket(http: HttpClient, session: Session):  # type: ignore[no-untyped-def]
    return http.post(f"/sessions/{session.pk}/room/ticket/")


def redeem(http: HttpClient, token: str, room: int):  # type: ignore[no-untyped-def]
    return http.post("/telehealth/tickets/redeem", {"token": token, "room": str(room)})


@pytest.fixture
def family_now(world: World) -> Session:
    return session_now(world)


def test_family_member_goes_through_prejoin_and_waits_to_be_let_in(
    world: World, family_now: Session, fake_janus: FakeJanus
) -> None:
    consent = shared(world, "schedule")
    world.fay.display_name = "Fay Family"  # as an invitation names a new account
    world.fay.save(update_fields=["display_name"])
    fay = signed_in(world.fay)
    page = fay.get(f"/sessions/{family_now.pk}/join/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Go to the waiting room" in body
    assert "Where are you right now?" not in body  # the location step is the client's
    assert fay.post(f"/sessions/{family_now.pk}/join/", CHECKS)["Location"].endswith("/room/")
    seat = Participant.objects.get(session=family_now, user=world.fay)
    assert seat.state == ParticipantState.WAITING and not seat.is_staff
    # Not let in yet: the ticket is issued but cannot be redeemed.
    issued = ticket(fay, family_now)
    assert issued.status_code == 200, issued.content
    waiting = redeem(fay, issued.json()["token"], issued.json()["room"])
    assert waiting.status_code == 409
    # Casey sees Fay, marked as family, without any location, and lets her in.
    casey = signed_in(world.casey)
    casey.post(f"/sessions/{family_now.pk}/join/", CHECKS)
    people = casey.get(f"/sessions/{family_now.pk}/room/state/").json()["people"]
    fay_entry = next(p for p in people if p["user_id"] == world.fay.pk)
    assert fay_entry["name"] == "Fay Family (family)" and fay_entry["location"] == ""
    casey.post(f"/sessions/{family_now.pk}/room/action/", {"do": "admit", "user": world.fay.pk})
    answer = redeem(fay, issued.json()["token"], issued.json()["room"])
    assert answer.status_code == 200, answer.content
    assert answer.json()["is_staff"] is False and answer.json()["screen_feed_id"] is None
    # Staff controls stay staff-only.
    assert fay.post(f"/sessions/{family_now.pk}/room/action/", {"do": "admit_all"}).status_code == (
        404
    )
    # Every step names the consent that allowed it, against Alex's record.
    steps = AuditEvent.objects.filter(
        actor=world.fay,
        object_type__in=[
            "telehealth.participant",
            "telehealth.join_ticket",
            "telehealth.room_entry",
        ],
    )
    assert steps.count() == 3
    assert {(e.client_id, e.reason) for e in steps} == {
        (world.alex.pk, f"family consent {consent.pk}")
    }


def test_api_join_ticket_for_family(
    world: World, family_now: Session, fake_janus: FakeJanus, client: HttpClient
) -> None:
    shared(world, "schedule")
    url = f"/api/v1/sessions/{family_now.pk}/join-ticket"
    response = api_post(client, api_headers(world.fay), url, {})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("kind", "scopes"),
    [
        (SessionKind.FAMILY, ("attendance", "safety_plan")),  # no schedule scope
        (SessionKind.INDIVIDUAL, ("schedule",)),  # not a family session
        (SessionKind.GROUP, ("schedule",)),
    ],
)
def test_family_member_without_the_right_consent_or_session_gets_404(
    world: World, fake_janus: FakeJanus, kind: str, scopes: tuple[str, ...]
) -> None:
    session = session_now(world, kind)
    shared(world, *scopes)
    fay = signed_in(world.fay)
    assert fay.get(f"/sessions/{session.pk}/join/").status_code == 404
    assert ticket(fay, session).status_code == 404
    assert not Room.objects.exists() and not JoinTicket.objects.exists()


def test_no_consent_and_another_clients_session_get_404(
    world: World, fake_janus: FakeJanus
) -> None:
    sign_consent(world.blair)
    blairs = make_session(
        world,
        starts_at=timezone.now() - timedelta(minutes=5),
        kind=SessionKind.FAMILY,
        facilitator=world.gale,
        clients=(world.blair,),
    )
    fay = signed_in(world.fay)
    assert fay.get(f"/sessions/{blairs.pk}/join/").status_code == 404  # no consent at all
    shared(world, "schedule")  # Alex's consent does not open Blair's session
    assert fay.get(f"/sessions/{blairs.pk}/join/").status_code == 404


def test_revoking_the_consent_ends_the_seat_the_feed_and_the_ticket_at_once(
    world: World,
    family_now: Session,
    fake_janus: FakeJanus,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    consent = shared(world, "schedule")
    fay = signed_in(world.fay)
    fay.post(f"/sessions/{family_now.pk}/join/", CHECKS)
    casey = signed_in(world.casey)
    casey.post(f"/sessions/{family_now.pk}/join/", CHECKS)
    casey.post(f"/sessions/{family_now.pk}/room/action/", {"do": "admit_all"})
    first = ticket(fay, family_now).json()
    assert redeem(fay, first["token"], first["room"]).status_code == 200
    spare = ticket(fay, family_now).json()  # a second tab's ticket, not yet used
    room = Room.objects.get(session=family_now)
    feed = JoinTicket.objects.filter(user=world.fay, used_at__isnull=False).get().feed_id
    assert feed is not None
    Presence.objects.create(room=room, user=world.fay, feed_id=feed, joined_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        family_consent_revoke(consent=consent, actor=world.alex.user)

    assert Participant.objects.get(user=world.fay).state == ParticipantState.LEFT
    assert fake_janus.kicked == [feed]  # Janus drops her feed after the commit
    assert fake_janus.allowed[room.number] == set()  # and her token: the PIN alone won't do
    assert redeem(fay, spare["token"], spare["room"]).status_code == 403
    assert fay.get(f"/sessions/{family_now.pk}/room/state/").status_code == 404
    assert fay.get(f"/sessions/{family_now.pk}/join/").status_code == 404
    assert ticket(fay, family_now).status_code == 404
    assert AuditEvent.objects.filter(object_type="telehealth.consent_ended").count() == 1
    # Casey and Alex stay in.
    assert Participant.objects.get(user=world.casey).state == ParticipantState.ADMITTED


def test_family_presence_never_becomes_client_attendance(
    world: World, family_now: Session, fake_janus: FakeJanus
) -> None:
    shared(world, "schedule")
    fay = signed_in(world.fay)
    fay.post(f"/sessions/{family_now.pk}/join/", CHECKS)
    ticket(fay, family_now)
    room = Room.objects.get(session=family_now)
    Presence.objects.create(
        room=room, user=world.fay, feed_id=7, joined_at=family_now.starts_at, left_at=None
    )
    outcome = services.room_close(room, now=family_now.ends_at + timedelta(minutes=6))
    assert outcome == {world.alex.pk: "no_show"}  # Alex never came; Fay's time is not hers
    assert set(Attendance.objects.values_list("client_id", flat=True)) == {world.alex.pk}


def test_family_pages_offer_join_only_while_the_room_is_open(
    world: World, fake_janus: FakeJanus
) -> None:
    shared(world, "schedule")
    later = make_session(
        world,
        starts_at=timezone.now() + timedelta(hours=3),
        kind=SessionKind.FAMILY,
        facilitator=world.casey,
        clients=(world.alex,),
    )
    fay = signed_in(world.fay)
    schedule = fay.get(f"/family/clients/{world.alex.pk}/schedule/").content.decode()
    assert f"/sessions/{later.pk}/join/" not in schedule
    assert "opens 15 minutes before the start" in schedule
    assert "Family session now" not in fay.get("/").content.decode()
    now = session_now(world)
    schedule = fay.get(f"/family/clients/{world.alex.pk}/schedule/").content.decode()
    assert f"/sessions/{now.pk}/join/" in schedule
    home = fay.get("/").content.decode()
    assert "Family session now" in home and f"/sessions/{now.pk}/join/" in home
