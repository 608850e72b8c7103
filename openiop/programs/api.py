from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record_atomic
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


def _client_out(client: Client) -> dict[str, object]:
    return {
        "id": client.pk,
        "program": client.program_id,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": client.date_of_birth,
        "time_zone": client.time_zone,
    }


@router.get("/clients", response=list[ClientSummary])
def client_list(request: HttpRequest) -> list[dict[str, object]]:
    """The caller's caseload: names only; the list read is audited once per call."""
    user: User = request.user  # type: ignore[assignment]
    clients = list(selectors.caseload(user))
    audit_record_atomic(
        actor=user, action=Action.READ, object_type="client_list", object_id=len(clients)
    )
    return [
        {"id": c.pk, "program": c.program_id, "first_name": c.first_name, "last_name": c.last_name}
        for c in clients
    ]


@router.get("/clients/{client_id}", response=ClientOut)
def client_detail(request: HttpRequest, client_id: int) -> dict[str, object]:
    client = selectors.read_client_for_user(request.user, client_id)  # type: ignore[arg-type]
    return _client_out(client)


@router.post("/clients/{client_id}/care-team", response={201: CareTeamOut})
def care_team_add(request: HttpRequest, client_id: int, body: CareTeamIn) -> tuple[int, dict]:
    actor: User = request.user  # type: ignore[assignment]
    client = selectors.get_client_for_user(actor, client_id)
    if not selectors.may_manage_care_team(actor, client):
        raise HttpError(
            403, "Only the program's director or the primary clinician can change the care team."
        )
    member_user = User.objects.filter(pk=body.user).first()
    if member_user is None:
        raise HttpError(422, "No such user.")
    try:
        member = services.care_team_add(
            client=client, user=member_user, role=body.role, actor=actor
        )
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from None
    return 201, {"user": member.user_id, "role": member.role}
