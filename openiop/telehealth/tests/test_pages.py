"""Pre-join, waiting room, room page, its JSON endpoints, the location API and quick exit."""

from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from django.utils.html import escape

from openiop.conftest import World
from openiop.notify.models import Message
from openiop.programs.tests.enrollment_support import api_headers, api_post
from openiop.safety.models import Alert, ConfirmedLocation
from openiop.safety.services import location_confirm
from openiop.scheduling.models import SessionKind
from openiop.telehealth.forms import EMPTY_LOCATION
from openiop.telehealth.models import Participant, ParticipantState
from openiop.telehealth.tests.conftest import FakeJanus, make_session, sign_consent, signed_in

CHECKS = {"rtt_ms": "40", "throughput_kbps": "2500", "camera_ok": "true", "mode": "video"}
HOME = {
    "privacy": "private",
    "location_choice": "here",
    "address": "1 Test Lane",
    "city": "Testville",
    "region": "IL",
    "postal_code": "60000",
    "country": "us",
}


def join_url(session) -> str:  # type: ignore[no-untyped-def]
    return f"/sessions/{session.pk}/join/"


def room_url(session) -> str:  # type: ignore[no-untyped-def]
    return f"/sessions/{session.pk}/room/"


def prejoin(client: HttpClient, session, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(join_url(session), {**CHECKS, **HOME, **extra})


def test_prejoin_page_has_the_three_steps_in_order(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    location_confirm(
        client=world.alex, session=None, actor=world.alex.user, address="9 Old Road", country="US"
    )
    page = signed_in(world.alex.user).get(join_url(group_now)).content.decode()
    devices, privacy = page.index("Camera, microphone and connection"), page.index("2. Privacy")
    assert devices < privacy < page.index("3. Where are you right now?")
    assert 'value="9 Old Road"' in page  # prefilled with the last answer
    assert "Quick exit" in page


def test_staff_prejoin_has_only_the_device_check(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    page = signed_in(world.fran).get(join_url(group_now)).content.decode()
    assert "Camera, microphone and connection" in page and "Privacy" not in page
    response = signed_in(world.fran).post(join_url(group_now), CHECKS)
    assert response.status_code == 302 and response["Location"] == room_url(group_now)
    fran = Participant.objects.get(user=world.fran)
    assert fran.is_staff and fran.state == ParticipantState.ADMITTED


def test_empty_location_is_refused_and_nothing_written(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    response = prejoin(signed_in(world.alex.user), group_now, address="  ")
    assert response.status_code == 400
    assert escape(EMPTY_LOCATION) in response.content.decode()
    assert not Participant.objects.exists() and not ConfirmedLocation.objects.exists()


def test_confirmed_location_goes_to_safety_and_client_waits(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    response = prejoin(signed_in(world.alex.user), group_now)
    assert response.status_code == 302 and response["Location"] == room_url(group_now)
    location = ConfirmedLocation.objects.get()
    assert (location.session_id, location.address, location.country) == (
        group_now.pk,
        "1 Test Lane",
        "US",
    )
    alex = Participant.objects.get(user=world.alex.user)
    assert alex.state == ParticipantState.WAITING and alex.private is True
    assert (alex.rtt_ms, alex.throughput_kbps, alex.recommended_mode) == (40, 2500, "video")
    assert not Alert.objects.exists()


def test_declining_location_alerts_the_team_once(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    response = prejoin(signed_in(world.alex.user), group_now, location_choice="decline", address="")
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert (alert.client_id, alert.severity, alert.source) == (world.alex.pk, "low", "location")
    assert ConfirmedLocation.objects.get().declined


def test_not_private_joins_audio_only(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    prejoin(signed_in(world.alex.user), group_now, privacy="audio")
    alex = Participant.objects.get(user=world.alex.user)
    assert (alex.private, alex.mode) == (False, "audio")


def test_not_private_message_flag_reaches_staff(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    prejoin(signed_in(world.alex.user), group_now, privacy="message")
    signed_in(world.fran).post(join_url(group_now), CHECKS)
    people = signed_in(world.fran).get(f"{room_url(group_now)}state/").json()["people"]
    alex = next(p for p in people if p["name"] == "Alex")
    assert alex["wants_message"] and alex["private"] is False
    # Fran (facilitating) and Casey (Alex's primary clinician) were told at once, by a
    # message that names nobody; answering the same way again sends nothing new.
    told = Message.objects.filter(key__startswith=f"telehealth:cannot-talk:{group_now.pk}:")
    assert {m.user_id for m in told} == {world.fran.pk, world.casey.pk}
    assert all(m.staff and m.link == room_url(group_now) for m in told)
    assert not any("Alex" in m.subject + m.body for m in told)
    count = told.count()
    prejoin(signed_in(world.alex.user), group_now, privacy="message")
    assert told.count() == count


def test_client_without_consent_gets_a_link_to_sign(
    world: World, fake_janus: FakeJanus, login_as
) -> None:
    session = make_session(world, starts_at=timezone.now(), clients=(world.alex,))
    response = signed_in(world.alex.user).get(join_url(session))
    assert response.status_code == 403
    assert "/welcome/telehealth-consent/" in response.content.decode()


def test_too_early_page_says_when_it_opens(world: World, fake_janus: FakeJanus, login_as) -> None:
    sign_consent(world.alex)
    start = timezone.now() + timedelta(hours=3)
    session = make_session(world, starts_at=start, clients=(world.alex,))
    response = signed_in(world.alex.user).get(join_url(session))
    assert response.status_code == 403 and "Opens at" in response.content.decode()


@pytest.mark.parametrize("name", ["blair", "quinn", "gale", "birch_clinician", "cora", "fay"])
def test_join_and_room_pages_are_404_for_others(
    name: str, world: World, individual_now, login_as, fake_janus: FakeJanus
) -> None:
    user = getattr(world, name)
    user = user.user if hasattr(user, "user") else user
    http = login_as(user)
    for url in ("join/", "room/", "room/state/"):
        assert http.get(f"/sessions/{individual_now.pk}/{url}").status_code == 404, url
    assert http.post(f"/sessions/{individual_now.pk}/room/ticket/").status_code == 404


def test_room_page_needs_prejoin_then_shows_dial_in_and_allows_janus_origin(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    world.program.dial_in_phone = "+1 555 0100 321"
    world.program.save()
    http = signed_in(world.alex.user)
    assert http.get(room_url(group_now))["Location"] == join_url(group_now)
    prejoin(http, group_now)
    page = http.get(room_url(group_now))
    assert page.status_code == 200
    assert "+1 555 0100 321" in page.content.decode()  # shown when video fails
    assert "http://127.0.0.1:9" in page["Content-Security-Policy"]
    assert "data-idle-seconds" not in page.content.decode()  # no reload mid-session


def test_waiting_room_admit_and_reconnect_without_second_prejoin(
    world: World, group_now, login_as, fake_janus: FakeJanus, client: HttpClient
) -> None:
    http = signed_in(world.alex.user)
    prejoin(http, group_now)
    assert http.get(f"{room_url(group_now)}state/").json()["state"] == "waiting"
    staff = signed_in(world.fran)
    staff.post(join_url(group_now), CHECKS)
    people = staff.get(f"{room_url(group_now)}state/").json()["people"]
    alex = next(p for p in people if p["name"] == "Alex")
    assert alex["state"] == "waiting" and alex["location"].startswith("1 Test Lane")
    assert alex["rtt_ms"] == 40
    answer = staff.post(f"{room_url(group_now)}action/", {"do": "admit", "user": alex["user_id"]})
    assert answer.status_code == 200
    assert http.get(f"{room_url(group_now)}state/").json()["state"] == "admitted"
    # Back to the join link (a reload, a dropped phone): straight into the room.
    assert http.get(join_url(group_now))["Location"] == room_url(group_now)


def test_client_cannot_use_staff_controls(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    http = signed_in(world.alex.user)
    prejoin(http, group_now)
    response = http.post(f"{room_url(group_now)}action/", {"do": "admit_all"})
    assert response.status_code == 404
    assert Participant.objects.get(user=world.alex.user).state == ParticipantState.WAITING


def test_locked_room_refuses_admission_and_remove_blocks_tickets(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    prejoin(signed_in(world.alex.user), group_now)
    staff = signed_in(world.fran)
    staff.post(join_url(group_now), CHECKS)
    assert staff.post(f"/sessions/{group_now.pk}/room/ticket/").status_code == 200  # room opens
    assert staff.post(f"{room_url(group_now)}action/", {"do": "lock"}).status_code == 200
    refused = staff.post(f"{room_url(group_now)}action/", {"do": "admit_all"})
    assert refused.status_code == 409 and "locked" in refused.json()["detail"]
    staff.post(f"{room_url(group_now)}action/", {"do": "unlock"})
    staff.post(f"{room_url(group_now)}action/", {"do": "admit_all"})
    removed = staff.post(
        f"{room_url(group_now)}action/", {"do": "remove", "user": world.alex.user.pk}
    )
    assert removed.status_code == 200
    http = signed_in(world.alex.user)
    assert http.get(f"{room_url(group_now)}state/").json()["state"] == "removed"
    assert http.post(f"/sessions/{group_now.pk}/room/ticket/").status_code == 403


def test_chat_mute_and_hand_live_outside_the_database(
    world: World, group_now, login_as, fake_janus: FakeJanus, django_assert_num_queries
) -> None:
    staff = signed_in(world.fran)
    staff.post(join_url(group_now), CHECKS)
    prejoin(signed_in(world.alex.user), group_now)
    staff.post(f"{room_url(group_now)}action/", {"do": "admit_all"})
    staff.post(f"{room_url(group_now)}action/", {"do": "chat", "text": "Welcome, everyone"})
    staff.post(f"{room_url(group_now)}action/", {"do": "mute", "user": world.alex.user.pk})
    http = signed_in(world.alex.user)
    http.post(f"{room_url(group_now)}action/", {"do": "hand", "up": "1"})
    state = http.get(f"{room_url(group_now)}state/?after=0").json()
    assert [m["text"] for m in state["chat"]] == ["Welcome, everyone"]
    assert state["mute"] is True and state["hand"] is True
    assert http.get(f"{room_url(group_now)}state/?after=1").json()["chat"] == []
    assert http.get(f"{room_url(group_now)}state/").json()["mute"] is False  # obeyed once


def test_staff_state_query_count_does_not_grow(
    world: World, group_now, login_as, fake_janus: FakeJanus, django_assert_max_num_queries
) -> None:
    staff = signed_in(world.fran)
    staff.post(join_url(group_now), CHECKS)
    prejoin(signed_in(world.alex.user), group_now)
    prejoin(signed_in(world.blair.user), group_now)
    staff = signed_in(world.fran)
    # session, user/MFA, participant, room, roster: participants, booked clients,
    # locations (+ the auth/session middleware's own)
    with django_assert_max_num_queries(14) as counted:
        staff.get(f"{room_url(group_now)}state/")
    assert len(staff.get(f"{room_url(group_now)}state/").json()["people"]) == 3
    assert len(counted.captured_queries) <= 14


def test_location_api(world: World, group_now, client: HttpClient, fake_janus: FakeJanus) -> None:
    url = f"/api/v1/sessions/{group_now.pk}/location"
    alex = api_headers(world.alex.user)
    empty = api_post(client, alex, url, {"address": " ", "country": "US"})
    assert empty.status_code == 422 and not ConfirmedLocation.objects.exists()
    body = {"address": "1 Test Lane", "country": "us", "region": "IL", "postal_code": "60000"}
    made = api_post(client, alex, url, body)
    assert made.status_code == 201 and made.json()["country"] == "US"
    assert made.json()["session"] == group_now.pk
    declined = api_post(client, alex, url, {"declined": True})
    assert declined.status_code == 201 and Alert.objects.count() == 1
    assert api_post(client, api_headers(world.fran), url, body).status_code == 403
    assert api_post(client, api_headers(world.birch_clinician), url, body).status_code == 404


def test_quick_exit_lands_on_a_neutral_page(client: HttpClient) -> None:
    response = client.get("/x/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Notes</title>" in page and "OpenIOP" not in page
    assert "session" not in page.lower()


def test_connection_check_endpoints(client: HttpClient) -> None:
    assert client.get("/telehealth/ping/").content == b"ok"
    payload = client.get("/telehealth/payload/")
    assert len(payload.content) == 200 * 1024 and payload["Cache-Control"] == "no-store"


def test_individual_session_staff_include_the_care_team(
    world: World, fake_janus: FakeJanus, login_as
) -> None:
    sign_consent(world.alex)
    session = make_session(
        world,
        starts_at=timezone.now(),
        kind=SessionKind.INDIVIDUAL,
        facilitator=world.casey,
        clients=(world.alex,),
    )
    for user in (world.casey, world.fran, world.dale):
        assert login_as(user).get(join_url(session)).status_code == 200


def test_staff_see_reconnecting_when_a_client_drops(
    world: World, group_now, fake_janus: FakeJanus
) -> None:
    staff = signed_in(world.fran)
    staff.post(join_url(group_now), CHECKS)
    http = signed_in(world.alex.user)
    prejoin(http, group_now)
    staff.post(f"{room_url(group_now)}action/", {"do": "admit_all"})

    def alex_entry() -> dict:
        people = staff.get(f"{room_url(group_now)}state/").json()["people"]
        return next(p for p in people if p["name"] == "Alex")

    http.get(f"{room_url(group_now)}state/?conn=ok")
    assert alex_entry()["reconnecting"] is False
    http.get(f"{room_url(group_now)}state/?conn=reconnecting")  # the page lost Janus
    assert alex_entry()["reconnecting"] is True
    http.get(f"{room_url(group_now)}state/?conn=ok")
    assert alex_entry()["reconnecting"] is False
    stale = timezone.now() - timedelta(seconds=30)  # the phone went quiet altogether
    Participant.objects.filter(user=world.alex.user).update(last_seen=stale)
    assert alex_entry()["reconnecting"] is True


def test_staff_roster_links_each_clients_crisis_panel_for_this_session(
    world: World, group_now, login_as, fake_janus: FakeJanus
) -> None:
    """#7 with #5: in the room, a clinician opens the in-session crisis panel of a client
    whose record they may open (Casey: Alex, not Blair), with this session's location."""
    prejoin(signed_in(world.alex.user), group_now)
    prejoin(signed_in(world.blair.user), group_now, address="9 Other Road")
    casey = signed_in(world.casey)
    casey.post(join_url(group_now), CHECKS)
    people = {p["name"]: p for p in casey.get(f"{room_url(group_now)}state/").json()["people"]}
    url = f"/clients/{world.alex.pk}/crisis-panel/?session={group_now.pk}"
    assert people["Alex"]["crisis_url"] == url
    assert people["Blair"]["crisis_url"] == ""
    panel = casey.get(url)
    assert panel.status_code == 200
    assert "1 Test Lane" in panel.content.decode()
    assert "not for this session" not in panel.content.decode()
