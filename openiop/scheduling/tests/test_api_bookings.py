"""POST /api/v1/sessions/{id}/bookings: who may book, the waitlist answer, refusals."""

import json
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.services import api_token_issue
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.scheduling.api_bookings import NOT_ALLOWED_BOOKING, WAITLISTED
from openiop.scheduling.models import Booking, Session
from openiop.scheduling.tests.booking_helpers import enrolled, session

pytestmark = pytest.mark.django_db
MAY_BOOK = ["alex", "casey", "dale"]
DOES_NOT_SEE_ALEX = ["blair", "quinn", "gale", "birch_clinician", "birch_director", "cora", "fay"]


def _persona(world: World, name: str) -> User:
    return getattr(world, name).user if name in ("alex", "blair") else getattr(world, name)


def _book(http: HttpClient, user: User, session_id: int, client_id: int) -> tuple[int, dict]:
    raw, _ = api_token_issue(user=user)
    response = http.post(
        f"/api/v1/sessions/{session_id}/bookings",
        data=json.dumps({"client": client_id}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    return response.status_code, response.json()


@pytest.fixture
def group(world: World) -> Session:
    enrolled(world.alex, world.blair)
    return session(world.program, world.fran, timezone.now() + timedelta(days=1), capacity=1)


@pytest.mark.parametrize("name", MAY_BOOK)
def test_client_care_team_clinician_and_director_may_book(
    world: World, client: HttpClient, group: Session, name: str
) -> None:
    status, body = _book(client, _persona(world, name), group.pk, world.alex.pk)
    assert status == 201
    booking = Booking.objects.get()
    assert body["id"] == booking.pk
    assert (body["session"], body["client"], body["status"]) == (group.pk, world.alex.pk, "booked")
    event = AuditEvent.objects.get(object_type="booking")
    assert (event.client_id, event.actor) == (world.alex.pk, _persona(world, name))


@pytest.mark.parametrize("name", DOES_NOT_SEE_ALEX)
def test_someone_who_may_not_see_the_client_gets_404(
    world: World, client: HttpClient, group: Session, name: str
) -> None:
    status, body = _book(client, _persona(world, name), group.pk, world.alex.pk)
    assert status == 404
    assert body == _book(client, world.casey, group.pk, 987_654_321)[1]
    assert not Booking.objects.exists()
    assert not AuditEvent.objects.filter(object_type="booking").exists()


def test_facilitator_on_the_team_sees_the_client_but_may_not_book(
    world: World, client: HttpClient, group: Session
) -> None:
    assert _book(client, world.fran, group.pk, world.alex.pk) == (
        403,
        {"detail": NOT_ALLOWED_BOOKING},
    )
    assert not Booking.objects.exists()


def test_full_session_answers_409_with_position_and_waitlists(
    world: World, client: HttpClient, group: Session
) -> None:
    assert _book(client, world.dale, group.pk, world.blair.pk)[0] == 201
    status, body = _book(client, world.alex.user, group.pk, world.alex.pk)
    waiting = Booking.objects.get(client=world.alex)
    assert status == 409
    assert body == {"detail": WAITLISTED, "waitlist_position": 1, "booking": waiting.pk}
    assert waiting.status == "waitlisted"


def test_double_booking_is_409_with_nothing_written(
    world: World, client: HttpClient, group: Session
) -> None:
    _book(client, world.alex.user, group.pk, world.alex.pk)
    status, body = _book(client, world.alex.user, group.pk, world.alex.pk)
    assert (status, body) == (409, {"detail": "The client already has a place in this session."})
    assert Booking.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="booking").count() == 1


def test_cancelled_session_is_409(world: World, client: HttpClient, group: Session) -> None:
    group.status = "cancelled"
    group.save()
    status, body = _book(client, world.alex.user, group.pk, world.alex.pk)
    assert (status, body) == (409, {"detail": "This session has been cancelled."})


def test_session_of_another_program_is_404(world: World, client: HttpClient) -> None:
    enrolled(world.alex)
    elsewhere = session(
        world.other_program, world.birch_clinician, timezone.now() + timedelta(days=1)
    )
    assert _book(client, world.alex.user, elsewhere.pk, world.alex.pk)[0] == 404


def test_without_a_token_is_401(world: World, client: HttpClient, group: Session) -> None:
    response = client.post(
        f"/api/v1/sessions/{group.pk}/bookings",
        data=json.dumps({"client": world.alex.pk}),
        content_type="application/json",
    )
    assert response.status_code == 401
