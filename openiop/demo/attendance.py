"""Demo attendance: last week's groups with attendance recorded, so the director's weekly
hours table (Previous week) has figures: Sam meets the 9 hours with two billable days;
Kendall, stepped down to 4.5 hours, misses two groups (one record corrected) and is flagged.

Called by `seed_demo` last. Last week's sessions are single rows (the demo series start this
week); bookings are rows too, since booking a past session is refused by design. The
attendance itself goes through `attendance_record`, so it is audited. Does nothing when last
week already has attendance in the demo program.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.accounts.models import User
from openiop.programs.models import Client, Program, Track
from openiop.scheduling.hours import IsoWeek
from openiop.scheduling.models import Attendance, Booking, BookingStatus, Session
from openiop.scheduling.services.attendance import attendance_record

PROGRAM = "riverbend-demo"
# client, track, facilitator, kind, weekday (0 = Monday), local start, minutes, status,
# minutes late (for "late"), and a correction (status, reason) or None
ATTENDED = [
    ("sam", "Adult mood — evenings (demo)", "facilitator", "group", 0, 18, 180, "present", 0, None),
    ("sam", "Adult mood — evenings (demo)", "facilitator", "group", 2, 18, 180, "late", 45, None),
    ("sam", "Adult mood — evenings (demo)", "facilitator", "group", 3, 18, 180, "present", 0, None),
    ("sam", "Weekend skills (demo)", "facilitator", "skills", 5, 10, 90, "present", 0, None),
    (
        "kendall",
        "Young adult trauma — mornings (demo)",
        "clinician2",
        "group",
        0,
        9,
        180,
        "present",
        0,
        None,
    ),
    (
        "kendall",
        "Young adult trauma — mornings (demo)",
        "clinician2",
        "group",
        1,
        9,
        180,
        "absent",
        0,
        None,
    ),
    (
        "kendall",
        "Young adult trauma — mornings (demo)",
        "clinician2",
        "group",
        3,
        9,
        180,
        "no_show",
        0,
        ("excused", "Called the program before the group: a medical appointment"),
    ),
]


def seed_attendance() -> None:
    program = Program.objects.get(slug=PROGRAM)
    zone = ZoneInfo(program.time_zone)
    last_week = IsoWeek.of(timezone.localdate(timezone.now(), zone)).previous()
    start, end = last_week.bounds(zone)
    if Attendance.objects.filter(
        session__program=program, session__starts_at__gte=start, session__starts_at__lt=end
    ).exists():
        return
    sessions: dict[tuple[str, int, int], Session] = {}
    for who, track_name, lead, kind, weekday, hour, minutes, status, late, fix in ATTENDED:
        client = Client.objects.get(user__email=f"{who}@demo.openiop.test")
        facilitator = User.objects.get(email=f"{lead}@demo.openiop.test")
        key = (track_name, weekday, hour)
        if key not in sessions:
            starts_at = _local(last_week.monday + timedelta(days=weekday), hour, zone)
            sessions[key] = Session.objects.create(
                program=program,
                track=Track.objects.get(program=program, name=track_name),
                kind=kind,
                facilitator=facilitator,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes),
                capacity=program.max_group_size,
            )
        session = sessions[key]
        Booking.objects.create(session=session, client=client, status=BookingStatus.BOOKED)
        joined = session.starts_at + timedelta(minutes=late) if late else None
        attendance_record(
            session=session,
            client=client,
            status=status,
            joined_at=joined,
            source="roster",
            actor=facilitator,
        )
        if fix is not None:
            attendance_record(
                session=session,
                client=client,
                status=fix[0],
                source="roster",
                actor=facilitator,
                reason=fix[1],
            )


def _local(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)
