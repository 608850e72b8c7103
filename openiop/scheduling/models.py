"""Sessions, their recurrence, seats, attendance and calendar feeds.

Times are stored in UTC. A series keeps its wall-clock start in the program's zone, so
"Mon/Wed/Thu 18:00 America/Chicago" stays 18:00 there across daylight-saving changes; each
occurrence is a row whose UTC start is worked out from that wall-clock time.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from openiop.accounts.models import validate_time_zone
from openiop.lib.tokens import new_token, token_digest
from openiop.programs.models import Client, Program, Track
from openiop.resources.models import PartnerLocation


class SessionKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual session"
    GROUP = "group", "Group session"
    SKILLS = "skills", "Skills group"
    FAMILY = "family", "Family session"
    INTAKE = "intake", "Intake assessment"


DEFAULT_MINUTES = {
    SessionKind.INDIVIDUAL: 50,
    SessionKind.GROUP: 180,
    SessionKind.SKILLS: 90,
    SessionKind.FAMILY: 60,
    SessionKind.INTAKE: 90,
}
GROUP_KINDS = frozenset({SessionKind.GROUP, SessionKind.SKILLS})


class SessionSeries(models.Model):
    """A recurring session (RFC 5545 RRULE) anchored at a wall-clock time in a zone."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="series")
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.PROTECT, related_name="series"
    )
    kind = models.CharField(max_length=16, choices=SessionKind.choices)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_series"
    )
    rrule = models.CharField(max_length=500, help_text="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO")
    first_local_start = models.DateTimeField(
        help_text="Naive wall-clock start of the first occurrence, in `time_zone`."
    )
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    duration_minutes = models.PositiveSmallIntegerField()
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    # Occurrences exist as rows up to here; a periodic job extends the horizon.
    materialized_until = models.DateTimeField(null=True, blank=True)
    # Hybrid care: every occurrence, including those the horizon adds later, is held in
    # person at this partner location.
    in_person_location = models.ForeignKey(
        PartnerLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="series"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "session series"

    def __str__(self) -> str:
        return f"series {self.pk}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Session(models.Model):
    """One meeting at one time: an occurrence of a series or a single session."""

    series = models.ForeignKey(
        SessionSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    # The occurrence's place in its series (UTC start the rule gave), kept when it is moved.
    series_slot = models.DateTimeField(null=True, blank=True)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="sessions")
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    kind = models.CharField(max_length=16, choices=SessionKind.choices)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_sessions"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Seats for clients; blank for individual kinds (one)."
    )
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    status_reason = models.CharField(max_length=200, blank=True)
    moved_from = models.DateTimeField(null=True, blank=True)
    # Hybrid care: held in person at a partner's premises instead of over video.
    in_person_location = models.ForeignKey(
        PartnerLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "series_slot"], name="one_session_per_series_slot"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "starts_at"], name="session_program_start"),
            models.Index(fields=["facilitator", "starts_at"], name="session_facilitator_start"),
        ]

    def __str__(self) -> str:
        return f"session {self.pk}"

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    def is_joinable(self, now: datetime, *, early: timedelta = timedelta(minutes=15)) -> bool:
        """Open from 15 minutes before the start to the end, unless cancelled."""
        return not self.is_cancelled and self.starts_at - early <= now < self.ends_at


class Closure(models.Model):
    """A day the program does not meet (a holiday): its occurrences are cancelled, saying so."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(help_text="A calendar day in the program's time zone.")
    reason = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["program", "date"], name="one_closure_per_day")
        ]

    def __str__(self) -> str:
        return f"closure {self.date}"


class SeriesEnrollment(models.Model):
    """A client booked into every future occurrence of a series (a track's groups)."""

    series = models.ForeignKey(SessionSeries, on_delete=models.CASCADE, related_name="members")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="series_enrollments")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"series enrollment {self.pk}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    WAITLISTED = "waitlisted", "On the waitlist"
    CANCELLED = "cancelled", "Cancelled"


class Booking(models.Model):
    """A client's seat (or place on the waitlist) in one session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookings")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=16, choices=BookingStatus.choices)
    is_makeup = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Waitlist order: earliest first; promoted when a seat frees.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "client"],
                condition=~models.Q(status="cancelled"),
                name="one_live_booking_per_client_session",
            )
        ]
        indexes = [models.Index(fields=["client", "status"], name="booking_client_status")]

    def __str__(self) -> str:
        return f"booking {self.pk}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    LEFT_EARLY = "left_early", "Left early"
    EXCUSED = "excused", "Excused"
    ABSENT = "absent", "Absent"
    NO_SHOW = "no_show", "No-show"


ATTENDED_STATUSES = frozenset(
    {AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY}
)


class AttendanceSource(models.TextChoices):
    ROSTER = "roster", "Facilitator's roster"
    VIDEO = "video", "Video room presence"
    API = "api", "API"


class Attendance(models.Model):
    """One record of a client's attendance; a correction is a new row that supersedes it."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=16, choices=AttendanceStatus.choices)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=AttendanceSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True)
    correction_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "client"],
                condition=models.Q(is_current=True),
                name="one_current_attendance",
            )
        ]

    def __str__(self) -> str:
        return f"attendance {self.pk}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Availability(models.Model):
    """A weekly window when the client can attend, in the client's own zone."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="availability_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"availability {self.pk}"


class CalendarFeed(models.Model):
    """A private, revocable iCalendar URL; only the token's SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed {self.pk}"

    digest_of = staticmethod(token_digest)
    new_raw = staticmethod(new_token)
