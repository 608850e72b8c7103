"""The demo seed gives Sam a week of bookings, one on a waitlist, and availability."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from openiop.programs.models import Client
from openiop.scheduling.models import Availability, Booking


@pytest.mark.django_db
def test_demo_client_has_bookings_a_waitlist_place_and_availability(client: HttpClient) -> None:
    call_command("seed_demo", "--quiet", stdout=StringIO())
    counts = (Booking.objects.count(), Availability.objects.count())
    call_command("seed_demo", "--quiet", stdout=StringIO())  # idempotent
    assert counts == (Booking.objects.count(), Availability.objects.count())
    sam = Client.objects.get(user__email="sam@demo.openiop.test")
    statuses = list(Booking.objects.filter(client=sam).values_list("status", flat=True))
    assert statuses.count("booked") >= 4
    assert statuses.count("waitlisted") == 1
    assert Availability.objects.filter(client=sam).count() == 6
    client.force_login(sam.user)
    html = client.get("/my-week/").content.decode()
    assert "on the waitlist: number 1" in html
    assert "Move this session" in html
