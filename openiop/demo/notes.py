"""Demo data for progress notes (fictional): a signed individual note (Alex, with Dana), a
signed group note for last week's Monday evening group, a draft due today (Sam, with Dana),
a signed family-session note (Sam, with Clinician Two; Sam shares it with Pat Supporter) and
a psychotherapy note Dana keeps for herself.

Individual sessions in the past are rows made here (booking a past session is refused by
design); the notes go through the services, so they are audited and billed like real ones.
Does nothing when the demo program already has a note.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.accounts.models import User
from openiop.notes.models import GroupNote, ProgressNote
from openiop.notes.services import (
    group_note_save,
    note_save,
    note_sign,
    note_start,
    psychotherapy_note_write,
)
from openiop.programs.models import Client, Program
from openiop.scheduling.hours import IsoWeek
from openiop.scheduling.models import Booking, BookingStatus, Session, SessionKind
from openiop.scheduling.services.attendance import attendance_record

PROGRAM = "riverbend-demo"
CLINICIAN = "clinician@demo.openiop.test"
FACILITATOR = "facilitator@demo.openiop.test"
FAMILY_THERAPIST = "clinician2@demo.openiop.test"


def seed_notes() -> None:
    """Idempotent: safe to run again."""
    program = Program.objects.get(slug=PROGRAM)
    if ProgressNote.objects.filter(client__program=program).exists():
        return
    zone = ZoneInfo(program.time_zone)
    dana = User.objects.get(email=CLINICIAN)
    alex = Client.objects.get(user__email="alex@demo.openiop.test")
    sam = Client.objects.get(user__email="sam@demo.openiop.test")
    today = timezone.localdate(timezone.now(), zone)

    # A signed individual note, two days ago at 10:00.
    start = datetime.combine(today - timedelta(days=2), time(10), tzinfo=zone)
    session = _past_individual(program, dana, alex, start, minutes=50)
    note = note_start(session=session, client=alex, actor=dana, template="dap")
    note = note_save(
        note=note,
        actor=dana,
        sections={
            "data": "Alex reported sleeping six hours most nights and used the breathing "
            "exercise twice this week (fictional demo text).",
            "assessment": "Engaged and practising skills; mood steadier than at intake.",
            "plan": "Continue the sleep routine; review the thought record next session.",
        },
    )
    note_sign(note=note, actor=dana)

    # A draft due today: a session that ended within the last day, note not yet signed.
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    session = _past_individual(program, dana, sam, start, minutes=50)
    draft = note_start(session=session, client=sam, actor=dana, template="birp")
    note_save(
        note=draft,
        actor=dana,
        sections={"behavior": "Arrived on time, calm (fictional demo text)."},
    )

    # A signed family-session note two weeks ago (clear of last week's hours table), which
    # Sam shares with their family member.
    family_therapist = User.objects.get(email=FAMILY_THERAPIST)
    start = datetime.combine(today - timedelta(days=14), time(17), tzinfo=zone)
    session = _past_individual(
        program, family_therapist, sam, start, minutes=60, kind=SessionKind.FAMILY
    )
    family = note_start(session=session, client=sam, actor=family_therapist, template="dap")
    family = note_save(
        note=family,
        actor=family_therapist,
        sections={
            "data": "Sam and Pat talked through the weekday routine and how Pat can help on "
            "group evenings (fictional demo text).",
            "assessment": "Good teamwork; both named one thing they will try.",
            "plan": "Pat drives Sam to the Thursday group; review in two weeks.",
        },
    )
    note_sign(note=family, actor=family_therapist)

    psychotherapy_note_write(
        author=dana,
        client=alex,
        text="Private process note for the demo: themes to explore next time (fictional).",
    )
    _group_note_for_last_week(program, zone)


def _past_individual(
    program: Program,
    clinician: User,
    client: Client,
    start: datetime,
    *,
    minutes: int,
    kind: str = SessionKind.INDIVIDUAL,
) -> Session:
    session = Session.objects.create(
        program=program,
        kind=kind,
        facilitator=clinician,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
    )
    Booking.objects.create(session=session, client=client, status=BookingStatus.BOOKED)
    attendance_record(
        session=session, client=client, status="present", source="roster", actor=clinician
    )
    return session


def _group_note_for_last_week(program: Program, zone: ZoneInfo) -> None:
    """Last week's Monday evening group (demo attendance made it), signed for all booked."""
    last_week = IsoWeek.of(timezone.localdate(timezone.now(), zone)).previous()
    start, end = last_week.bounds(zone)
    session = (
        Session.objects.filter(
            program=program,
            kind=SessionKind.GROUP,
            facilitator__email=FACILITATOR,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .order_by("starts_at")
        .first()
    )
    if session is None or GroupNote.objects.filter(session=session).exists():
        return
    booked = Booking.objects.filter(session=session, status=BookingStatus.BOOKED)
    group_note_save(
        session=session,
        actor=session.facilitator,
        summary="Topic: noticing early signs of low mood. Members practised a two-minute "
        "grounding exercise and planned one pleasant activity each (fictional demo text).",
        entries={b.client_id: "Took part; planned an evening walk." for b in booked},
        sign=True,
    )
