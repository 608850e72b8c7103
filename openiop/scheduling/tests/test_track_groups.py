"""Staff book a client into their track's recurring groups from the client's page."""

from collections.abc import Callable
from datetime import datetime

import pytest
import time_machine
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.conftest import World
from openiop.programs.models import Track
from openiop.programs.services import (
    enrollment_open,
    enrollment_set_track,
    enrollment_transition,
)
from openiop.scheduling.models import Booking, SessionKind
from openiop.scheduling.services.series import series_create

NOW = "2026-03-02 12:00 +0000"


@pytest.fixture
def alex_in_a_track(world: World) -> Track:
    track = Track.objects.create(program=world.program, name="Evenings", schedule_label="evening")
    enrollment = enrollment_open(client=world.alex, program=world.program, actor=None)
    enrollment_set_track(enrollment=enrollment, track=track, actor=world.dale)
    series_create(
        program=world.program,
        kind=SessionKind.GROUP,
        facilitator=world.fran,
        first_local_start=datetime(2026, 3, 2, 18, 0),
        duration_minutes=180,
        rrule="FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6",
        track=track,
        actor=world.dale,
    )
    return track


def test_primary_clinician_books_the_client_into_every_upcoming_group(
    world: World, login_as: Callable[[User], HttpClient], alex_in_a_track: Track
) -> None:
    with time_machine.travel(NOW, tick=False):
        http = login_as(world.casey)
        page = http.get(f"/clients/{world.alex.pk}/").content.decode()
        assert "Book into the track&#x27;s groups" in page or "Book into the track's groups" in page
        response = http.post(f"/clients/{world.alex.pk}/track-groups/", follow=True)
    assert response.status_code == 200
    assert "Booked 6 upcoming session(s); 0 on the waitlist." in response.content.decode()
    assert Booking.objects.filter(client=world.alex, status="booked").count() == 6


@pytest.mark.parametrize("persona", ["fran", "quinn", "gale", "cora"])
def test_others_get_404_and_nothing_is_booked(
    world: World, login_as: Callable[[User], HttpClient], alex_in_a_track: Track, persona: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = login_as(getattr(world, persona)).post(f"/clients/{world.alex.pk}/track-groups/")
    assert response.status_code == 404
    assert not Booking.objects.filter(client=world.alex).exists()


def test_client_page_shows_this_weeks_hours(
    world: World, login_as: Callable[[User], HttpClient], alex_in_a_track: Track
) -> None:
    http = login_as(world.casey)
    with time_machine.travel(NOW, tick=False):
        assert "Hours this week" not in http.get(f"/clients/{world.alex.pk}/").content.decode()
        enrollment = world.alex.enrollments.get()
        for phase in ("intake", "active"):
            enrollment_transition(enrollment=enrollment, to_phase=phase, reason="t", actor=None)
        page = http.get(f"/clients/{world.alex.pk}/").content.decode()
    assert "Hours this week (2026-W10)" in page
    assert "0.0 h attended of 9.0 h required" in page
    assert "Cannot meet 9.0 h this week" in page or "Short by" in page
