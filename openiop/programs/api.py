"""Clients over the JSON API: the caller's caseload, one client, the care team.

Every client a caller may not see is a 404, exactly like one that does not exist.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from openiop.accounts.api import Detail, ValidationDetail
from openiop.accounts.models import User
from openiop.programs import selectors, services
from openiop.programs.models import CareTeamRole, Client

router = Router(tags=["clients"])


class CareTeamOut(Schema):
    user: int
    role: str


class ClientOut(Schema):
    id: int
    program: int
    first_name: str
    last_name: str
    date_of_birth: date | None
    time_zone: str


class ClientSummary(Schema):
    id: int
    program: int
    first_name: str
    last_name: str


class CareTeamIn(Schema):
    user: int
    role: CareTeamRole


def _client_summary(client: Client) -> dict[str, object]:
    return {
        "id": client.pk,
        "program": client.program_id,
        "first_name": client.first_name,
        "last_name": client.last_name,
    }


def _client_out(client: Client) -> dict[str, object]:
    return {
        **_client_summary(client),
        "date_of_birth": client.date_of_birth,
        "time_zone": client.time_zone,
    }


@router.get("/clients", response={200: list[ClientSummary], 401: Detail})
def client_list(request: HttpRequest) -> list[dict[str, object]]:
    """The caller's caseload. Names are PHI: each listed client gets a read event, written in
    the transaction that read the list, so compliance finds it under that client."""
    user: User = request.user  # type: ignore[assignment]
    with transaction.atomic():
        clients = list(selectors.caseload(user))
        selectors.record_list_read(user, [c.pk for c in clients], object_type="client_list")
    return [_client_summary(c) for c in clients]


@router.get("/clients/{client_id}", response={200: ClientOut, 401: Detail, 404: Detail})
def client_detail(request: HttpRequest, client_id: int) -> dict[str, object]:
    """One client the caller may see (the read is audited); 404 for any other id."""
    client = selectors.read_client_for_user(request.user, client_id)  # type: ignore[arg-type]
    return _client_out(client)


@router.post(
    "/clients/{client_id}/care-team",
    response={
        201: CareTeamOut,
        401: Detail,
        403: Detail,
        404: Detail,
        422: ValidationDetail | Detail,
    },
)
def care_team_add(
    request: HttpRequest, client_id: int, body: CareTeamIn
) -> Status[dict[str, object]]:
    """Seat a member of the program's staff on the client's care team (or change their seat).

    The program's directors and the client's primary clinician may; others who can see the
    client get 403, everyone else 404."""
    actor: User = request.user  # type: ignore[assignment]
    client = selectors.get_client_for_user(actor, client_id)
    if not selectors.may_manage_care_team(actor, client):
        raise HttpError(403, selectors.NOT_ALLOWED_CARE_TEAM)
    member_user = User.objects.filter(pk=body.user).first()
    if member_user is None:
        raise HttpError(422, "No such user.")
    try:
        member = services.care_team_add(
            client=client, user=member_user, role=body.role, actor=actor
        )
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from None
    return Status(201, {"user": member.user_id, "role": member.role})
