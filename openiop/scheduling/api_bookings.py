"""Bookings over the JSON API: POST /sessions/{id}/bookings.

Who may book: the client themself, the clinicians on their care team and the directors of
their program. A client the caller may not see is a 404 (as for one that does not exist);
one they see but may not book for (a facilitator), 403. A full session puts the client on
the waitlist and answers 409 with their place; other refusals are 409 with nothing written.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from openiop.accounts.api import Detail, ValidationDetail
from openiop.accounts.models import User
from openiop.programs.selectors import get_client_for_user
from openiop.scheduling.models import Booking, Session
from openiop.scheduling.services.bookings import BookingRefused, booking_create, may_book_for

router = Router(tags=["scheduling"])

NOT_ALLOWED_BOOKING = (
    "Only the client, the clinicians on their care team and the program's director can book."
)
WAITLISTED = "The session is full; the client is on the waitlist."


class BookingIn(Schema):
    client: int


class BookingOut(Schema):
    id: int
    session: int
    client: int
    status: str
    is_makeup: bool
    created_at: datetime


class WaitlistedOut(Schema):
    detail: str
    waitlist_position: int
    booking: int


def _out(booking: Booking) -> dict[str, object]:
    return {
        "id": booking.pk,
        "session": booking.session_id,
        "client": booking.client_id,
        "status": booking.status,
        "is_makeup": booking.is_makeup,
        "created_at": booking.created_at,
    }


@router.post(
    "/sessions/{session_id}/bookings",
    response={
        201: BookingOut,
        401: Detail,
        403: Detail,
        404: Detail,
        409: WaitlistedOut | Detail,
        422: ValidationDetail | Detail,
    },
)
def booking_add(
    request: HttpRequest, session_id: int, body: BookingIn
) -> Status[dict[str, object]]:
    """Book a client into one session, or put them on its waitlist when it is full."""
    actor: User = request.user  # type: ignore[assignment]
    client = get_client_for_user(actor, body.client)
    if not may_book_for(actor, client):
        raise HttpError(403, NOT_ALLOWED_BOOKING)
    session = Session.objects.filter(pk=session_id, program_id=client.program_id).first()
    if session is None:
        raise HttpError(404, "No such session in the client's program.")
    try:
        outcome = booking_create(session=session, client=client, actor=actor)
    except BookingRefused as refusal:
        raise HttpError(409, str(refusal)) from None
    if outcome.waitlist_position is not None:
        return Status(
            409,
            {
                "detail": WAITLISTED,
                "waitlist_position": outcome.waitlist_position,
                "booking": outcome.booking.pk,
            },
        )
    return Status(201, _out(outcome.booking))
