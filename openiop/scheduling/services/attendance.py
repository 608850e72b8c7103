"""Attendance: one record per client per session, corrections as new rows.

A correction never edits or deletes the earlier record: it marks it no longer current and
adds a row that supersedes it, with the reason, so the history shows what was said first.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import Client
from openiop.scheduling.models import (
    ATTENDED_STATUSES,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    Booking,
    BookingStatus,
    Session,
)

# Joined and left times are accepted this far outside the session (people join early, the
# video room closes a little after the end); anything further off is a typing mistake.
SANE_MARGIN = timedelta(hours=1)
# Attendance can be taken from a little before the start (the waiting room opens then).
EARLIEST_BEFORE_START = timedelta(minutes=15)

NOT_BOOKED = "This client is not booked in this session."
SESSION_CANCELLED = "This session was cancelled; there is no attendance to record."
NOT_STARTED = "This session has not started yet."
REASON_NEEDED = "Say why you are correcting the attendance already recorded."


def credited_interval(
    *, session: Session, status: str, joined_at: datetime | None, left_at: datetime | None
) -> tuple[datetime, datetime] | None:
    """The part of the session the client is credited with, or None (nothing attended).

    Present, late and left early count the overlap of [joined, left] with the session; a
    missing time stands for the session's own start or end, so "present" with no times is
    the whole session."""
    if status not in ATTENDED_STATUSES:
        return None
    start = max(joined_at or session.starts_at, session.starts_at)
    end = min(left_at or session.ends_at, session.ends_at)
    if end <= start:
        return None
    return start, end


def credited_minutes(
    *, session: Session, status: str, joined_at: datetime | None, left_at: datetime | None
) -> int:
    """Whole minutes credited for one attendance record (see `credited_interval`)."""
    interval = credited_interval(
        session=session, status=status, joined_at=joined_at, left_at=left_at
    )
    if interval is None:
        return 0
    return int((interval[1] - interval[0]).total_seconds() // 60)


def attendance_minutes(attendance: Attendance, session: Session) -> int:
    return credited_minutes(
        session=session,
        status=attendance.status,
        joined_at=attendance.joined_at,
        left_at=attendance.left_at,
    )


def _check_times(
    session: Session, status: str, joined_at: datetime | None, left_at: datetime | None
) -> None:
    errors: dict[str, str] = {}
    for field, value in (("joined_at", joined_at), ("left_at", left_at)):
        if value is None:
            continue
        if value.tzinfo is None:
            errors[field] = "Give the time with its offset from UTC."
        elif not session.starts_at - SANE_MARGIN <= value <= session.ends_at + SANE_MARGIN:
            errors[field] = "This time is too far outside the session."
    if status not in ATTENDED_STATUSES and (joined_at or left_at):
        errors["status"] = "Only present, late or left early can have joined and left times."
    if not errors and joined_at is not None and left_at is not None and left_at <= joined_at:
        errors["left_at"] = "The client must leave after joining."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    client: Client,
    status: str,
    joined_at: datetime | None = None,
    left_at: datetime | None = None,
    source: str,
    actor: User | None,
    reason: str = "",
    now: datetime | None = None,
) -> Attendance:
    """Record `client`'s attendance at `session`, or correct the record already there.

    The caller has checked that `actor` may take this session's attendance. A second record
    for the same client and session is a correction and needs a `reason`; the earlier row
    stays, no longer current. Both the record and the correction are audited."""
    now = now or timezone.now()
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": "Unknown attendance status."})
    if source not in AttendanceSource.values:
        raise ValidationError({"source": "Unknown attendance source."})
    # Lock the session row so two taps on the roster cannot both write a "first" record.
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.is_cancelled:
        raise ValidationError(SESSION_CANCELLED, code="cancelled")
    if now < locked.starts_at - EARLIEST_BEFORE_START:
        raise ValidationError(NOT_STARTED, code="not_started")
    booked = Booking.objects.filter(
        session=locked, client=client, status=BookingStatus.BOOKED
    ).exists()
    if not booked:
        raise ValidationError(NOT_BOOKED, code="not_booked")
    _check_times(locked, status, joined_at, left_at)
    reason = reason.strip()
    previous = (
        Attendance.objects.select_for_update()
        .filter(session=locked, client=client, is_current=True)
        .first()
    )
    if previous is not None and not reason:
        raise ValidationError({"reason": ValidationError(REASON_NEEDED, code="reason_needed")})
    if previous is not None:
        # Out of the way of the one-current-record constraint before the new row arrives.
        Attendance.objects.filter(pk=previous.pk).update(is_current=False)
    record = Attendance.objects.create(
        session=locked,
        client=client,
        status=status,
        joined_at=joined_at,
        left_at=left_at,
        source=source,
        recorded_by=actor,
        recorded_at=now,
        supersedes=previous,
        is_current=True,
        correction_reason=reason[:300] if previous is not None else "",
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE if previous is not None else Action.CREATE,
        object_type="attendance",
        object_id=record.pk,
        client_id=client.pk,
        reason=f"corrects attendance {previous.pk}: {reason}" if previous is not None else "",
    )
    from openiop.scheduling.engagement import attendance_follow_up  # engagement imports hours

    attendance_follow_up(record=record, session=locked, client=client, actor=actor)
    return record


def roster_times(
    *, session: Session, status: str, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """Joined/left times implied by one tap on the roster while the session runs: "late"
    means they joined now, "left early" that they left now. Outside the session, none."""
    if not session.starts_at <= now < session.ends_at:
        return None, None
    if status == AttendanceStatus.LATE:
        return now, None
    if status == AttendanceStatus.LEFT_EARLY:
        return None, now
    return None, None
