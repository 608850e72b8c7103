"""Sessions over the JSON API: POST /sessions (one-off or recurring) and
GET /clients/{id}/sessions (a client's booked occurrences, in the client's own offset).

Scheduling is for the program's directors, clinicians and facilitators (403 for anyone
else); bad input (an unreadable or too-frequent RRULE, a time that does not exist or is
ambiguous in the program's zone) is 422; a double-booked facilitator is 409. Nothing is
written on any refusal.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from openiop.accounts.api import Detail, Text, ValidationDetail
from openiop.accounts.models import User
from openiop.programs.models import Program, Track
from openiop.programs.selectors import read_client_for_user
from openiop.resources.selectors import partner_locations
from openiop.scheduling import selectors
from openiop.scheduling.models import Session, SessionKind
from openiop.scheduling.services.series import (
    is_double_booking,
    series_create,
    session_create_single,
    wall_time_of,
)

router = Router(tags=["scheduling"])

_ERRORS = {401: Detail, 403: Detail, 404: Detail, 409: Detail, 422: ValidationDetail | Detail}
MAX_WINDOW = timedelta(days=366)


class SessionIn(Schema):
    kind: SessionKind
    program: int
    track: int | None = None
    starts_at: datetime = Field(
        description="ISO 8601 with an offset; for a series, its wall-clock time in the "
        "program's zone is kept across daylight-saving changes."
    )
    duration_minutes: int | None = Field(default=None, description="Defaults by kind.")
    facilitator: int
    capacity: int | None = Field(
        default=None, description="Group kinds only; defaults to the program's largest group."
    )
    rrule: Text | None = Field(
        default=None,
        max_length=500,
        examples=["FREQ=WEEKLY;BYDAY=MO,WE,TH"],
        description="RFC 5545 RRULE; DAILY or coarser, at most two a day.",
    )
    in_person_location: int | None = Field(
        default=None, description="A partner location of the program: held there in person."
    )


class SessionOut(Schema):
    id: int
    series: int | None
    program: int
    track: int | None
    kind: str
    facilitator: int
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    capacity: int | None
    status: str
    status_reason: str
    moved_from: datetime | None
    in_person_location: int | None = None


class Window(Schema):
    start: str | None = Field(
        default=None,
        alias="from",
        description="YYYY-MM-DD (the client's day) or ISO 8601 with offset; default today.",
    )
    end: str | None = Field(
        default=None,
        alias="to",
        description="Inclusive date or exclusive instant; default a week after `from`.",
    )


def session_out(session: Session, zone: ZoneInfo | None = None) -> dict[str, object]:
    """A session as the API shows it, its times in `zone` (default: the program's)."""
    zone = zone or ZoneInfo(session.program.time_zone)
    return {
        "id": session.pk,
        "series": session.series_id,
        "program": session.program_id,
        "track": session.track_id,
        "kind": session.kind,
        "facilitator": session.facilitator_id,
        "starts_at": session.starts_at.astimezone(zone),
        "ends_at": session.ends_at.astimezone(zone),
        "duration_minutes": int(session.duration.total_seconds() // 60),
        "capacity": session.capacity,
        "status": session.status,
        "status_reason": session.status_reason,
        "moved_from": session.moved_from.astimezone(zone) if session.moved_from else None,
        "in_person_location": session.in_person_location_id,
    }


def _refusal(error: ValidationError) -> HttpError:
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: [error]}
    text = " ".join(
        ("" if field == NON_FIELD_ERRORS else f"{field}: ") + " ".join(ValidationError(e).messages)
        for field, e in by_field.items()
    )
    return HttpError(409 if is_double_booking(error) else 422, text)


@router.post("/sessions", response={201: SessionOut, **_ERRORS})
def session_create(request: HttpRequest, body: SessionIn) -> Status[dict[str, object]]:
    """A one-off session, or with `rrule` a recurring series: the answer is then its first
    occurrence, whose `series` is the series' id."""
    actor: User = request.user  # type: ignore[assignment]
    program = Program.objects.filter(pk=body.program).first()
    if program is None:
        raise HttpError(404, "No such program.")
    if not selectors.may_schedule(actor, program):
        raise HttpError(403, selectors.NOT_ALLOWED_SCHEDULING)
    if body.starts_at.tzinfo is None:
        raise HttpError(422, "starts_at: Give the time with its offset, e.g. 18:00-05:00.")
    facilitator = User.objects.filter(pk=body.facilitator).first()
    if facilitator is None:
        raise HttpError(422, "facilitator: No such user.")
    track = None
    if body.track is not None:
        track = Track.objects.filter(pk=body.track, program=program).first()
        if track is None:
            raise HttpError(422, "track: No such track in this program.")
    location = None
    if body.in_person_location is not None:
        location = partner_locations(program).filter(pk=body.in_person_location).first()
        if location is None:
            raise HttpError(422, "in_person_location: No such partner location in this program.")
    common = {
        "program": program,
        "kind": body.kind,
        "facilitator": facilitator,
        "duration_minutes": body.duration_minutes,
        "track": track,
        "capacity": body.capacity,
        "actor": actor,
    }
    try:
        with transaction.atomic():
            local = wall_time_of(body.starts_at, ZoneInfo(program.time_zone))
            if body.rrule is None:
                session = session_create_single(starts_at=body.starts_at, **common)  # type: ignore[arg-type]
                if location is not None:  # hybrid care: held there in person
                    Session.objects.filter(pk=session.pk).update(in_person_location=location)
                    session.in_person_location = location
            else:
                series = series_create(
                    first_local_start=local,
                    rrule=body.rrule,
                    in_person_location=location,
                    **common,  # type: ignore[arg-type]
                )
                first = (
                    series.sessions.select_related("program", "in_person_location")
                    .order_by("starts_at")
                    .first()
                )
                if first is None:
                    raise ValidationError({"rrule": "No occurrence falls within the horizon."})
                session = first
    except ValidationError as error:
        raise _refusal(error) from None
    return Status(201, session_out(session))


def _bound(value: str | None, zone: ZoneInfo, *, name: str, end: bool) -> datetime | None:
    """A date (a day in the client's zone: its start, or for `to` its end) or an instant."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        pass
    else:
        day = day + timedelta(days=1) if end else day
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise HttpError(422, f"{name}: Give a date (YYYY-MM-DD) or a time with its offset.")
    return instant.astimezone(UTC)


@router.get(
    "/clients/{client_id}/sessions",
    response={200: list[SessionOut], 401: Detail, 404: Detail, 422: ValidationDetail | Detail},
)
def client_sessions(
    request: HttpRequest, client_id: int, window: Query[Window]
) -> list[dict[str, object]]:
    """The occurrences the client holds a seat in (cancelled ones say why), times in the
    client's own offset. 404 for a client the caller may not see; the read is audited."""
    client = read_client_for_user(request.user, client_id, object_type="client_sessions")  # type: ignore[arg-type]
    zone = ZoneInfo(client.time_zone)
    today = datetime.combine(datetime.now(zone).date(), time(0), tzinfo=zone).astimezone(UTC)
    start = _bound(window.start, zone, name="from", end=False) or today
    end = _bound(window.end, zone, name="to", end=True) or start + timedelta(days=7)
    if not start < end <= start + MAX_WINDOW:
        raise HttpError(422, "to: Must come after `from`, at most a year later.")
    return [session_out(s, zone) for s in selectors.client_sessions(client, start, end)]
