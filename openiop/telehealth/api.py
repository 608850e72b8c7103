"""Video over the JSON API.

POST /sessions/{id}/join-ticket → {janus_url, room, token, expires_at} (+ ice_servers);
POST /telehealth/tickets/redeem {token, room} → the room's PIN and the caller's Janus ids;
POST /sessions/{id}/location {address, country, region, postal_code[, city, declined]}.
A session the caller may not enter is a 404, as for one that does not exist.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from openiop.accounts.api import Detail, Text
from openiop.accounts.models import User
from openiop.safety.services import location_confirm
from openiop.telehealth import janus, selectors, services

router = Router(tags=["telehealth"])


class TicketOut(Schema):
    janus_url: str
    room: int
    token: str
    expires_at: datetime
    ice_servers: list[dict[str, Any]]


class Unavailable(Schema):
    detail: str
    dial_in_phone: str


class RedeemIn(Schema):
    token: Text
    room: int


class RedeemOut(Schema):
    janus_url: str
    room: int
    pin: str
    janus_token: str
    feed_id: int
    screen_feed_id: int | None
    display: str
    is_staff: bool
    ice_servers: list[dict[str, Any]]


class LocationIn(Schema):
    address: Text = ""
    city: Text = ""
    region: Text = ""
    postal_code: Text = ""
    country: Text = ""
    declined: bool = False


class LocationOut(Schema):
    id: int
    session: int
    address: str
    city: str
    region: str
    postal_code: str
    country: str
    declined: bool
    confirmed_at: datetime


def janus_down_detail(program_phone: str) -> dict[str, str]:
    detail = "Video is not available right now."
    if program_phone:
        detail += f" Join by phone instead: {program_phone}."
    return {"detail": detail, "dial_in_phone": program_phone}


def issue_ticket_response(user: User, session_id: int) -> tuple[int, dict[str, Any]]:
    """One answer for the API and the room page: (status, body)."""
    session = selectors.session_for_join(user, session_id)
    try:
        issued = services.ticket_issue(
            user=user,
            session=session,
            client=session.client,  # type: ignore[attr-defined]
            family=session.family_consent,  # type: ignore[attr-defined]
        )
    except services.Refused as refused:
        return refused.status, {"detail": refused.detail}
    except janus.JanusUnavailable:
        return 503, janus_down_detail(session.program.dial_in_phone)
    return 200, {
        "janus_url": issued.janus_url,
        "room": issued.room.number,
        "token": issued.raw,
        "expires_at": issued.ticket.expires_at,
        "ice_servers": issued.ice_servers,
    }


@router.post(
    "/sessions/{session_id}/join-ticket",
    response={
        200: TicketOut,
        401: Detail,
        403: Detail,
        404: Detail,
        409: Detail,
        503: Unavailable,
    },
)
def join_ticket(request: HttpRequest, session_id: int) -> Status[dict[str, Any]]:
    """A two-minute, single-use ticket into the session's video room (booked clients and the
    session's staff, from 15 minutes before the start to the end). Creates the room if it is
    not there yet. 503 with the program's dial-in number when video is down."""
    status, body = issue_ticket_response(request.user, session_id)  # type: ignore[arg-type]
    return Status(status, body)


@router.post(
    "/telehealth/tickets/redeem",
    response={200: RedeemOut, 401: Detail, 403: Detail, 409: Detail, 503: Detail},
)
def redeem(request: HttpRequest, body: RedeemIn) -> Status[dict[str, Any]]:
    """Trade a ticket for its room's PIN and a join token on the room's access list (once,
    before it expires, for that room only). 503 when video is down: try again."""
    try:
        answer = services.ticket_redeem(
            user=request.user,  # type: ignore[arg-type]
            token=body.token,
            room_number=body.room,
        )
    except services.Refused as refused:
        return Status(refused.status, {"detail": refused.detail})
    except janus.JanusUnavailable:
        return Status(503, {"detail": services.VIDEO_DOWN})
    return Status(200, answer)


@router.post(
    "/sessions/{session_id}/location",
    response={201: LocationOut, 401: Detail, 403: Detail, 404: Detail, 409: Detail, 422: Any},
)
def session_location(
    request: HttpRequest, session_id: int, body: LocationIn
) -> Status[dict[str, Any]]:
    """Where the client is for this session (the client only). Empty is refused; declining
    is allowed and alerts the care team."""
    user: User = request.user  # type: ignore[assignment]
    session = selectors.session_for_join(user, session_id)
    client = session.client  # type: ignore[attr-defined]
    if client is None:
        raise HttpError(403, "Only the client confirms their own location.")
    try:
        if session.is_cancelled:
            raise services.Refused(409, services.CANCELLED)
        location = location_confirm(
            client=client,
            session=session,
            actor=user,
            address=body.address,
            city=body.city,
            region=body.region,
            postal_code=body.postal_code,
            country=body.country,
            declined=body.declined,
        )
    except services.Refused as refused:
        return Status(refused.status, {"detail": refused.detail})
    except ValidationError as invalid:
        return Status(422, {"detail": " ".join(invalid.messages)})
    return Status(
        201,
        {
            "id": location.pk,
            "session": session.pk,
            "address": location.address,
            "city": location.city,
            "region": location.region,
            "postal_code": location.postal_code,
            "country": location.country,
            "declined": location.declined,
            "confirmed_at": location.confirmed_at,
        },
    )
