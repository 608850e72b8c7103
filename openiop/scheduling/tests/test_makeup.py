"""Make-up offers: same kind, another track, the program's week, a free seat, and inside the
client's availability read in the client's zone (Asia/Kolkata, program in America/Chicago)."""

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient

from openiop.conftest import World
from openiop.programs.models import Client, Track
from openiop.scheduling.models import Attendance, Availability, Booking, Session
from openiop.scheduling.services.bookings import booking_create, makeup_offers
from openiop.scheduling.tests.booking_helpers import enrolled, session, track

# Monday 2 March 2026, 9:00 am in Chicago (CST, UTC-6); the program week ends Monday 9 March
# 00:00 Chicago = 06:00 UTC (daylight saving starts on 8 March, after the week's sessions).
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def kolkata(world: World) -> Client:
    """Alex in India (UTC+05:30), free 7:00-11:00 am on Tuesday to Thursday, their time."""
    world.alex.time_zone = "Asia/Kolkata"
    world.alex.save()
    enrolled(world.alex)
    for weekday in (1, 2, 3):
        Availability.objects.create(
            client=world.alex, weekday=weekday, start_time=time(7), end_time=time(11)
        )
    return world.alex


@pytest.fixture
def tracks(world: World) -> tuple[Track, Track]:
    return track(world.program, "Evenings", "evening"), track(world.program, "Late", "evening")


def _missed(world: World, client: Client, own: Track) -> Session:
    """A group on Monday morning (Chicago) the client was booked into and did not attend."""
    missed = session(world.program, world.fran, NOW - timedelta(hours=2), kind="group", track=own)
    Booking.objects.create(session=missed, client=client, status="booked")
    Attendance.objects.create(session=missed, client=client, status="no_show", source="roster")
    return missed


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_offers_respect_kind_track_week_capacity_and_availability(
    world: World, kolkata: Client, tracks: tuple[Track, Track]
) -> None:
    own, other = tracks
    missed = _missed(world, kolkata, own)
    # Tuesday 20:00 Chicago = Wednesday 07:30 Kolkata: fits the Wednesday window.
    fits = session(world.program, world.gale, _at(4, 2), kind="group", track=other)
    same_track = session(world.program, world.gale, _at(4, 2), kind="group", track=own)
    other_kind = session(world.program, world.gale, _at(4, 2), kind="skills", track=other)
    # Wednesday 09:00 Chicago = Wednesday 20:30 Kolkata: outside every window.
    outside_window = session(world.program, world.gale, _at(4, 15), kind="group", track=other)
    # Next program week (Tuesday 10 March 02:00 UTC = Monday 9 March 21:00 Chicago, CDT).
    next_week = session(world.program, world.gale, _at(10, 2), kind="group", track=other)
    full = session(world.program, world.gale, _at(5, 2), kind="group", track=other, capacity=1)
    enrolled(world.blair)
    booking_create(session=full, client=world.blair, actor=None)
    cancelled = session(
        world.program, world.gale, _at(5, 3), kind="group", track=other, status="cancelled"
    )
    elsewhere = session(
        world.other_program,
        world.birch_clinician,
        _at(4, 2),
        kind="group",
        track=track(world.other_program, "Birch", "evening"),
    )
    offers = makeup_offers(kolkata, missed)
    assert offers == [fits]
    for refused in (same_track, other_kind, outside_window, next_week, full, cancelled, elsewhere):
        assert refused not in offers


def test_a_session_the_client_already_holds_is_not_offered(
    world: World, kolkata: Client, tracks: tuple[Track, Track]
) -> None:
    own, other = tracks
    missed = _missed(world, kolkata, own)
    held = session(world.program, world.gale, _at(4, 2), kind="group", track=other)
    booking_create(session=held, client=kolkata, actor=None)
    assert makeup_offers(kolkata, missed) == []


def test_without_availability_nothing_is_offered(world: World, tracks: tuple[Track, Track]) -> None:
    enrolled(world.alex)
    own, other = tracks
    missed = _missed(world, world.alex, own)
    session(world.program, world.gale, _at(4, 2), kind="group", track=other)
    assert makeup_offers(world.alex, missed) == []


def test_window_edges_in_the_clients_zone(
    world: World, kolkata: Client, tracks: tuple[Track, Track]
) -> None:
    own, other = tracks
    missed = _missed(world, kolkata, own)
    # 01:30 UTC = 07:00 Kolkata (Wednesday); 90 minutes ends 08:30: inside.
    at_open = session(world.program, world.gale, _at(4, 1, 30), kind="group", track=other)
    # 04:00 UTC = 09:30 Kolkata; 90 minutes ends 11:00: exactly at the close, inside.
    at_close = session(world.program, world.gale, _at(4, 4), kind="group", track=other)
    # 04:01 UTC ends 11:01 Kolkata: outside.
    session(world.program, world.gale, _at(4, 4, 1), kind="group", track=other)
    assert makeup_offers(kolkata, missed) == [at_open, at_close]


def test_a_cancelled_group_gets_offers_on_my_week_and_booking_one_is_makeup(
    world: World, kolkata: Client, tracks: tuple[Track, Track], client: HttpClient
) -> None:
    own, other = tracks
    cancelled = session(
        world.program, world.fran, _at(3, 0), kind="group", track=own, status="cancelled"
    )
    Booking.objects.create(session=cancelled, client=kolkata, status="booked")
    offer = session(world.program, world.gale, _at(4, 2), kind="group", track=other)
    client.force_login(kolkata.user)
    html = client.get("/my-week/").content.decode()
    assert "Make up a missed group" in html
    assert f'value="{offer.pk}"' in html
    response = client.post("/my-week/make-up/", {"session": offer.pk})
    assert response.status_code == 302
    booking = Booking.objects.get(session=offer, client=kolkata)
    assert (booking.status, booking.is_makeup) == ("booked", True)


def test_a_session_not_on_offer_cannot_be_booked_as_makeup(
    world: World, kolkata: Client, tracks: tuple[Track, Track], client: HttpClient
) -> None:
    own, other = tracks
    _missed(world, kolkata, own)
    not_offered = session(world.program, world.gale, _at(4, 15), kind="group", track=other)
    client.force_login(kolkata.user)
    client.post("/my-week/make-up/", {"session": not_offered.pk})
    assert not Booking.objects.filter(session=not_offered).exists()
