"""Two people taking the last seat at the same moment: the session row lock lets one in and
puts the other on the waitlist (PostgreSQL; SQLite serialises whole transactions anyway)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from openiop.conftest import World
from openiop.scheduling.models import Booking
from openiop.scheduling.services.bookings import booking_create
from openiop.scheduling.tests.booking_helpers import enrolled, session

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter"
)


def test_last_seat_taken_twice_at_once_books_one_and_waitlists_the_other(
    transactional_db: None, world: World
) -> None:
    enrolled(world.alex, world.blair)
    group = session(world.program, world.fran, timezone.now() + timedelta(days=1), capacity=1)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def book(client_id: int) -> None:
        try:
            client = world.alex if client_id == world.alex.pk else world.blair
            start.wait()
            booking_create(session=group, client=client, actor=None)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(c.pk,)) for c in (world.alex, world.blair)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statuses = sorted(Booking.objects.filter(session=group).values_list("status", flat=True))
    assert statuses == ["booked", "waitlisted"]
