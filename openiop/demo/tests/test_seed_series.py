"""The demo seed gives the demo tracks a week of sessions and a holiday closure."""

from datetime import UTC, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from openiop.scheduling.models import Closure, Session, SessionSeries


@pytest.mark.django_db
def test_demo_series_keep_their_local_times_and_the_holiday_is_closed() -> None:
    with time_machine.travel(datetime(2026, 11, 26, 15, tzinfo=UTC), tick=False):
        call_command("seed_demo", "--quiet", stdout=StringIO())
        counts = SessionSeries.objects.count(), Session.objects.count(), Closure.objects.count()
        call_command("seed_demo", "--quiet", stdout=StringIO())  # idempotent
    assert counts == (
        SessionSeries.objects.count(),
        Session.objects.count(),
        Closure.objects.count(),
    )
    assert counts[0] == 4 and counts[2] == 1
    chicago = ZoneInfo("America/Chicago")
    evenings = Session.objects.filter(track__name="Adult mood — evenings (demo)")
    assert {s.starts_at.astimezone(chicago).strftime("%a %H:%M") for s in evenings} == {
        "Mon 18:00",
        "Wed 18:00",
        "Thu 18:00",
    }
    eve = evenings.get(starts_at__date="2026-12-25")  # Thursday 24 Dec 18:00 CST, in UTC
    assert eve.is_cancelled and eve.status_reason == "Closed: Christmas Eve"
