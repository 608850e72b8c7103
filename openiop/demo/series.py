"""Demo session series and a holiday closure, so the day view and "My week" have content.

Called by `seed_demo` after the tracks and staff exist. Each series starts on the Monday of
the current week (in the program's zone) and repeats until stopped; the horizon task keeps
writing its occurrences. Safe to run again: a series already seeded for its track, kind and
facilitator is left alone, and so is an existing closure.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.accounts.models import User
from openiop.programs.models import Program, Track
from openiop.scheduling.models import Closure, SessionSeries
from openiop.scheduling.services.series import closure_add, series_create

SERIES = [
    # program, track, kind, facilitator, RRULE, local start, minutes
    (
        "riverbend-demo",
        "Adult mood — evenings (demo)",
        "group",
        "facilitator@demo.openiop.test",
        "FREQ=WEEKLY;BYDAY=MO,WE,TH",
        time(18),
        180,
    ),
    (
        "riverbend-demo",
        "Adult mood — mornings (demo)",
        "group",
        "clinician2@demo.openiop.test",
        "FREQ=WEEKLY;BYDAY=MO,TU,TH",
        time(9),
        180,
    ),
    (
        "riverbend-demo",
        "Weekend skills (demo)",
        "skills",
        "facilitator@demo.openiop.test",
        "FREQ=WEEKLY;BYDAY=SA",
        time(10),
        90,
    ),
    (
        "lakeside-demo",
        "Teen skills — afternoons (demo)",
        "skills",
        "other.clinician@demo.openiop.test",
        "FREQ=WEEKLY;BYDAY=MO,WE",
        time(16),
        90,
    ),
]
CLOSURE = ("riverbend-demo", 12, 24, "Christmas Eve")  # a Thursday in 2026


def seed_series() -> None:
    for slug, track_name, kind, email, rule, at, minutes in SERIES:
        program = Program.objects.get(slug=slug)
        track = Track.objects.get(program=program, name=track_name)
        facilitator = User.objects.get(email=email)
        if SessionSeries.objects.filter(track=track, kind=kind, facilitator=facilitator).exists():
            continue
        series_create(
            program=program,
            kind=kind,
            facilitator=facilitator,
            first_local_start=datetime.combine(_this_monday(program), at),
            duration_minutes=minutes,
            rrule=rule,
            track=track,
            actor=None,
        )
    slug, month, day, reason = CLOSURE
    program = Program.objects.get(slug=slug)
    if not Closure.objects.filter(program=program).exists():
        today = _today(program)
        holiday = date(today.year, month, day)
        if holiday < today:
            holiday = holiday.replace(year=today.year + 1)
        closure_add(program=program, date=holiday, reason=reason, actor=None)


def _today(program: Program) -> date:
    return timezone.localdate(timezone.now(), ZoneInfo(program.time_zone))


def _this_monday(program: Program) -> date:
    today = _today(program)
    return today - timedelta(days=today.weekday())
