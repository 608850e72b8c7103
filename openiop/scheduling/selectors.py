"""Reads of the schedule: who may schedule where, a client's booked occurrences, a
facilitator's day. Each list is a fixed number of queries whatever its length."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from openiop.accounts.models import Role, User
from openiop.programs.models import Client, Program, ProgramStaff
from openiop.scheduling.models import GROUP_KINDS, BookingStatus, Session
from openiop.scheduling.services.series import day_bounds

SCHEDULER_ROLES = (Role.DIRECTOR, Role.CLINICIAN, Role.FACILITATOR)
NOT_ALLOWED_SCHEDULING = (
    "Only the program's directors, clinicians and facilitators can schedule its sessions."
)


def programs_scheduled_by(user: User) -> QuerySet[Program]:
    """Programs whose sessions `user` may create: their own, as director, clinician or
    facilitator on its staff."""
    if not user.is_authenticated or not user.is_active or user.role not in SCHEDULER_ROLES:
        return Program.objects.none()
    staffed = ProgramStaff.objects.filter(program=OuterRef("pk"), user=user)
    return Program.objects.filter(Exists(staffed))


def may_schedule(user: User, program: Program) -> bool:
    return programs_scheduled_by(user).filter(pk=program.pk).exists()


def facilitators_of(program: Program) -> QuerySet[User]:
    """Staff of the program who may run a session."""
    return User.objects.filter(
        program_memberships__program=program, role__in=SCHEDULER_ROLES, is_active=True
    ).order_by("display_name", "email")


def client_sessions(client: Client, start: datetime, end: datetime) -> list[Session]:
    """The occurrences `client` holds a seat in (booking `booked`) starting in [start, end),
    cancelled ones included so the client sees why. One query."""
    return list(
        Session.objects.filter(
            bookings__client=client,
            bookings__status=BookingStatus.BOOKED,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("track")
        .order_by("starts_at", "pk")
    )


def facilitator_day(user: User, day: date) -> list[Session]:
    """The sessions `user` runs on `day` of their own zone, each with its program, track,
    partner location (in person) and `booked` (seats taken). One query."""
    lo, hi = day_bounds(day, ZoneInfo(user.time_zone))
    return list(
        Session.objects.filter(facilitator=user, starts_at__gte=lo, starts_at__lt=hi)
        .select_related("program", "track", "in_person_location")
        .annotate(booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)))
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class TrackWeek:
    """One track's group and skills sessions of a week on the capacity board."""

    name: str
    sessions: list[Session]

    @property
    def _running(self) -> list[Session]:
        return [s for s in self.sessions if not s.is_cancelled]

    @property
    def capacity(self) -> int:
        return sum(s.capacity or 0 for s in self._running)

    @property
    def booked(self) -> int:
        return sum(s.booked for s in self._running)  # type: ignore[attr-defined]

    @property
    def waiting(self) -> int:
        return sum(s.waiting for s in self._running)  # type: ignore[attr-defined]

    @property
    def cancelled(self) -> int:
        return len(self.sessions) - len(self._running)


def capacity_board(program: Program, start: datetime, end: datetime) -> list[TrackWeek]:
    """The program's group and skills sessions starting in [start, end), cancelled ones
    included, grouped by track (sessions without a track last), each session with `booked`
    (seats taken) and `waiting` (waitlist length). One query."""
    sessions = (
        Session.objects.filter(
            program=program, kind__in=GROUP_KINDS, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("track")
        .annotate(
            booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)),
            waiting=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITLISTED)),
        )
        .order_by(F("track__name").asc(nulls_last=True), "track_id", "starts_at", "pk")
    )
    tracks: dict[int | None, TrackWeek] = {}
    for session in sessions:
        name = session.track.name if session.track else "No track"
        tracks.setdefault(session.track_id, TrackWeek(name, [])).sessions.append(session)
    return list(tracks.values())
