"""POST /referrals: an integration (or a script) records a referral.

403 for roles that never refer (client, family, compliance, admin, facilitator); 404 for a
program the caller does not work in, the same as one that does not exist; 422 with the field
named for bad input; 409 with the existing client's id for a possible duplicate, until the
body says `"confirm_not_duplicate": true`.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from openiop.accounts.api import Detail, Text, ValidationDetail
from openiop.accounts.models import User
from openiop.programs import intake
from openiop.programs.models import ReferralSource
from openiop.programs.services.referrals import PossibleDuplicate, referral_create

router = Router(tags=["referrals"])

MAY_NOT_REFER = "Only clinicians and program directors can record referrals."


class ReferralIn(Schema):
    program: int
    first_name: Text = Field(max_length=100)
    last_name: Text = Field(max_length=100)
    date_of_birth: date
    email: Text = Field(max_length=254)
    phone: Text | None = Field(default=None, max_length=32)
    time_zone: Text = Field(max_length=64)
    source: ReferralSource
    referring_provider: Text = Field(default="", max_length=200)
    referring_contact: Text = Field(default="", max_length=200)
    reason: Text = Field(default="", max_length=4000)
    confirm_not_duplicate: bool = False


class ReferralOut(Schema):
    client_id: int
    enrollment_id: int


class DuplicateOut(Schema):
    detail: str
    existing_client_id: int


def _field_messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


@router.post(
    "/referrals",
    response={
        201: ReferralOut,
        401: Detail,
        403: Detail,
        404: Detail,
        409: DuplicateOut,
        422: ValidationDetail | Detail,
    },
)
def referral_create_route(request: HttpRequest, body: ReferralIn) -> Status[dict[str, object]]:
    """Record a referral: a client account (invited by email to choose a password) and an
    enrollment in phase `referred`. `program` is the program's id."""
    user: User = request.user  # type: ignore[assignment]
    if not intake.may_refer(user):
        raise HttpError(403, MAY_NOT_REFER)
    program = intake.programs_for_referrer(user).filter(pk=body.program).first()
    if program is None:
        raise HttpError(404, "Not Found")
    try:
        referral = referral_create(
            program=program,
            first_name=body.first_name,
            last_name=body.last_name,
            date_of_birth=body.date_of_birth,
            email=body.email,
            phone=body.phone,
            time_zone=body.time_zone,
            source=body.source,
            referring_provider=body.referring_provider,
            referring_contact=body.referring_contact,
            reason=body.reason,
            actor=user,
            confirm_not_duplicate=body.confirm_not_duplicate,
        )
    except PossibleDuplicate as found:
        detail = f'{found} If it is, send the referral again with "confirm_not_duplicate": true.'
        return Status(409, {"detail": detail, "existing_client_id": found.existing.pk})
    except PermissionDenied:
        raise HttpError(403, MAY_NOT_REFER) from None
    except ValidationError as error:
        raise HttpError(422, _field_messages(error)) from None
    return Status(
        201, {"client_id": referral.enrollment.client_id, "enrollment_id": referral.enrollment_id}
    )
