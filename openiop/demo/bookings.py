"""Demo bookings: Sam has a week of sessions (one of them on a waitlist), a moveable
individual session with a free slot to move it to, and weekly availability.

Called by `seed_demo` after the enrollments. Sessions are single rows (not a series) so this
part does not depend on the series seed; it does nothing once Sam has any booking.
"""

from contextlib import suppress
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.accounts.models import User
from openiop.programs.models import Client, Track
from openiop.scheduling.models import Booking, Session, SessionKind, SessionStatus
from openiop.scheduling.services.bookings import (
    BookingRefused,
    availability_add,
    booking_create,
)

CLIENT = "sam@demo.openiop.test"
OTHER = "kendall@demo.openiop.test"  # takes the one seat Sam then waits for
# Kai runs the morning groups only, so these single sessions clash with no demo series.
GROUP_LEAD = "clinician2@demo.openiop.test"
CLINICIAN = "clinician@demo.openiop.test"  # Sam's primary clinician
EVENING_TRACK = "Adult mood — evenings (demo)"
WEEKEND_TRACK = "Weekend skills (demo)"
# Sam's zone (America/New_York): weekday evenings and Saturday late morning.
AVAILABILITY = [(day, time(18), time(23)) for day in range(5)] + [(5, time(9), time(14))]


def _at(day: datetime, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day.date(), time(hour), tzinfo=zone)


def _session(
    client: Client, kind: str, starts_at: datetime, minutes: int, **extra: object
) -> Session:
    return Session.objects.create(
        program=client.program,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        **extra,  # type: ignore[arg-type]
    )


def _book(session: Session, client: Client) -> None:
    # A clash with a session booked above, say: the demo simply leaves that one out.
    with suppress(BookingRefused):
        booking_create(session=session, client=client, actor=None)


def seed_bookings() -> None:
    sam = Client.objects.select_related("program").filter(user__email=CLIENT).first()
    other = Client.objects.filter(user__email=OTHER).first()
    if sam is None or other is None or Booking.objects.filter(client=sam).exists():
        return
    program = sam.program
    zone = ZoneInfo(program.time_zone)
    now = timezone.now()
    today = now.astimezone(zone)
    lead = User.objects.get(email=GROUP_LEAD)
    clinician = User.objects.get(email=CLINICIAN)
    evening = Track.objects.get(program=program, name=EVENING_TRACK)
    weekend = Track.objects.get(program=program, name=WEEKEND_TRACK)
    for day, start, end in AVAILABILITY:
        availability_add(client=sam, weekday=day, start_time=start, end_time=end, actor=None)
    # The evening track's groups this week (from the demo series when seeded), else our own.
    groups = list(
        Session.objects.filter(
            track=evening,
            status=SessionStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lt=now + timedelta(days=7),
        )[:3]
    ) or [
        _session(
            sam,
            SessionKind.GROUP,
            _at(today + timedelta(days=offset), 18, zone),
            180,
            facilitator=lead,
            track=evening,
        )
        for offset in (1, 2, 4)
    ]
    for group in groups:
        _book(group, sam)
    full = _session(
        sam,
        SessionKind.SKILLS,
        _at(today + timedelta(days=5), 13, zone),
        90,
        facilitator=lead,
        track=weekend,
        capacity=1,
    )
    _book(full, other)
    _book(full, sam)  # waitlisted, number 1
    for offset in (3, 6):  # Sam's individual session, and a free slot to move it to
        individual = _session(
            sam,
            SessionKind.INDIVIDUAL,
            _at(today + timedelta(days=offset), 16, zone),
            50,
            facilitator=clinician,
        )
        if offset == 3:
            _book(individual, sam)
