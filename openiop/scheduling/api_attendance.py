"""Attendance, weekly hours and the calendar feed over the JSON API.

POST /sessions/{id}/attendance, GET /clients/{id}/hours?week=YYYY-Www, GET /me/calendar.
A session or client the caller may not see is a 404, as for one that does not exist.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from openiop.accounts.api import Detail, ValidationDetail
from openiop.accounts.models import User
from openiop.programs.selectors import get_client_for_user
from openiop.scheduling import roster
from openiop.scheduling.hours import IsoWeek, client_week_hours
from openiop.scheduling.models import AttendanceSource, AttendanceStatus
from openiop.scheduling.services import calendar
from openiop.scheduling.services.attendance import attendance_minutes, attendance_record

router = Router(tags=["scheduling"])

# Refusals that are about the state of things rather than the input.
_CONFLICTS = {"not_booked", "cancelled", "not_started", "reason_needed"}


class AttendanceIn(Schema):
    client: int
    status: AttendanceStatus
    joined_at: datetime | None = None
    left_at: datetime | None = None
    reason: str = ""


class AttendanceOut(Schema):
    id: int
    session: int
    client: int
    status: str
    joined_at: datetime | None
    left_at: datetime | None
    credited_minutes: int
    supersedes: int | None


class DayOut(Schema):
    date: date
    attended_hours: float
    billable: bool


class HoursOut(Schema):
    week: str
    attended_hours: float
    required_hours: float
    billable_days: int
    cannot_meet: bool
    days: list[DayOut]


class CalendarOut(Schema):
    url: str


@router.post(
    "/sessions/{session_id}/attendance",
    response={
        201: AttendanceOut,
        401: Detail,
        404: Detail,
        409: Detail,
        422: ValidationDetail | Detail,
    },
)
def attendance_post(
    request: HttpRequest, session_id: int, body: AttendanceIn
) -> Status[dict[str, object]]:
    """Record a client's attendance (the session's facilitator, the program's director or the
    client's care team). A second record is a correction and needs `reason` (else 409)."""
    user: User = request.user  # type: ignore[assignment]
    session = roster.get_session_for_attendance(user, session_id)
    client = roster.client_for_attendance(user, session, body.client)
    try:
        record = attendance_record(
            session=session,
            client=client,
            status=body.status,
            joined_at=body.joined_at,
            left_at=body.left_at,
            source=AttendanceSource.API,
            actor=user,
            reason=body.reason[:300],
        )
    except ValidationError as refused:
        conflict = getattr(refused, "code", None) in _CONFLICTS or _is_conflict(refused)
        status = 409 if conflict else 422
        raise HttpError(status, " ".join(refused.messages)) from None
    return Status(
        201,
        {
            "id": record.pk,
            "session": session.pk,
            "client": client.pk,
            "status": record.status,
            "joined_at": record.joined_at,
            "left_at": record.left_at,
            "credited_minutes": attendance_minutes(record, session),
            "supersedes": record.supersedes_id,
        },
    )


def _is_conflict(error: ValidationError) -> bool:
    if hasattr(error, "error_dict"):
        return any(e.code in _CONFLICTS for errors in error.error_dict.values() for e in errors)
    return False


@router.get(
    "/clients/{client_id}/hours",
    response={200: HoursOut, 401: Detail, 404: Detail, 422: Detail},
)
def client_hours(request: HttpRequest, client_id: int, week: str = "") -> dict[str, object]:
    """Attended and required hours and billable days of one ISO week, in the program's days."""
    client = get_client_for_user(request.user, client_id)  # type: ignore[arg-type]
    try:
        iso_week = IsoWeek.parse(week)
    except ValueError as bad:
        raise HttpError(422, str(bad)) from None
    hours = client_week_hours(client, iso_week)
    return {
        "week": str(iso_week),
        "attended_hours": float(hours.attended_hours),
        "required_hours": float(hours.required_hours),
        "billable_days": hours.billable_days,
        "cannot_meet": hours.cannot_meet,
        "days": [
            {"date": d.day, "attended_hours": float(d.attended_hours), "billable": d.billable}
            for d in hours.days
        ],
    }


@router.get("/me/calendar", response={200: CalendarOut, 401: Detail})
def my_calendar(request: HttpRequest) -> dict[str, str]:
    """A new private feed URL for the caller; the previous one stops working (only a digest
    is stored, so an existing URL cannot be read back)."""
    raw, _ = calendar.calendar_feed_issue(user=request.user)  # type: ignore[arg-type]
    return {"url": request.build_absolute_uri(f"/calendar/{raw}.ics")}
