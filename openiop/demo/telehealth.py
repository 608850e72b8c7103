"""Demo data for video: an individual session for Alex (demo) with Dana Clinician (demo) that
opens within minutes of `seed_demo` (so `make run` can show pre-join and the waiting room).

Sign in as alex@demo.openiop.test → My week → Join; and as clinician@demo.openiop.test →
My day → "Start / open room" on the same session, then let Alex in. Idempotent: a new
session is made only when Alex has no video session open now or within the next hour.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.accounts.models import User
from openiop.programs.models import Client
from openiop.scheduling.models import BookingStatus, Session, SessionKind
from openiop.scheduling.services.bookings import BookingRefused, booking_create
from openiop.scheduling.services.series import session_create_single

CLIENT_EMAIL = "alex@demo.openiop.test"
CLINICIAN_EMAIL = "clinician@demo.openiop.test"
MINUTES = 50


def seed_telehealth() -> Session | None:
    """Idempotent: safe to run again. Returns the demo video session (None if none fits)."""
    client = Client.objects.select_related("program").filter(user__email=CLIENT_EMAIL).first()
    clinician = User.objects.filter(email=CLINICIAN_EMAIL).first()
    if client is None or clinician is None:
        return None
    now = timezone.now()
    existing = (
        Session.objects.filter(
            kind=SessionKind.INDIVIDUAL,
            facilitator=clinician,
            bookings__client=client,
            bookings__status=BookingStatus.BOOKED,
            ends_at__gt=now,
            starts_at__lte=now + timedelta(hours=1),
            status="scheduled",
        )
        .order_by("starts_at")
        .first()
    )
    if existing is not None:
        return existing
    # The next five-minute mark at least two minutes away: its room opens at once (15 minutes
    # early). If that time clashes with another demo session, try later ones.
    first = (now + timedelta(minutes=7)).replace(second=0, microsecond=0)
    first -= timedelta(minutes=first.minute % 5)
    for step in range(12):
        start = first + timedelta(minutes=30 * step)
        try:
            session = session_create_single(
                program=client.program,
                kind=SessionKind.INDIVIDUAL,
                facilitator=clinician,
                starts_at=start,
                duration_minutes=MINUTES,
                actor=None,
            )
        except ValidationError:
            continue
        try:
            booking_create(session=session, client=client, actor=None)
        except (BookingRefused, ValidationError):
            session.delete()
            continue
        return session
    return None
