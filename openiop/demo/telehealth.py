"""Demo data for video: sessions with Dana Clinician (demo) that open within minutes of
`seed_demo`, so `make run` can show pre-join and the waiting room.

- An individual session for Alex (demo): sign in as alex@demo.openiop.test → My week →
  Join; and as clinician@demo.openiop.test → My day → "Start / open room", then let Alex in.
- A family session for Sam (demo) with the program's family therapist, Clinician Two (demo),
  which Sam's family member Pat Supporter (demo) may join under Sam's consent: sign in as
  family@demo.openiop.test → "Family session now" → Join, and as
  clinician2@demo.openiop.test → My day → open the room and let Pat in.

Idempotent: a new session is made only when there is none of that kind open now or coming
up later today.
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
FAMILY_CLIENT_EMAIL = "sam@demo.openiop.test"
CLINICIAN_EMAIL = "clinician@demo.openiop.test"
FAMILY_THERAPIST_EMAIL = "clinician2@demo.openiop.test"
MINUTES = 50
SEARCH_STEPS = 12  # half-hour steps tried after the first free five-minute mark


def seed_telehealth() -> Session | None:
    """Idempotent: safe to run again. Returns Alex's demo video session (None if none fits);
    Sam's family session is made alongside."""
    _session_soon(FAMILY_CLIENT_EMAIL, FAMILY_THERAPIST_EMAIL, SessionKind.FAMILY, minutes=60)
    return _session_soon(CLIENT_EMAIL, CLINICIAN_EMAIL, SessionKind.INDIVIDUAL, minutes=MINUTES)


def _session_soon(email: str, clinician_email: str, kind: str, *, minutes: int) -> Session | None:
    client = Client.objects.select_related("program").filter(user__email=email).first()
    clinician = User.objects.filter(email=clinician_email).first()
    if client is None or clinician is None:
        return None
    now = timezone.now()
    existing = (
        Session.objects.filter(
            kind=kind,
            facilitator=clinician,
            bookings__client=client,
            bookings__status=BookingStatus.BOOKED,
            ends_at__gt=now,
            # As far ahead as the search below may have placed it.
            starts_at__lte=now + timedelta(minutes=12 + 30 * SEARCH_STEPS),
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
    for step in range(SEARCH_STEPS):
        start = first + timedelta(minutes=30 * step)
        try:
            session = session_create_single(
                program=client.program,
                kind=kind,
                facilitator=clinician,
                starts_at=start,
                duration_minutes=minutes,
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
