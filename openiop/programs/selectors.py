"""Who may see which client, and the reads that follow from it.

Deny by default: a client's record is visible to the client, to the clinicians and
facilitators on their care team, to the directors of their program, and to a clinician
holding an unexpired break-glass grant. Everyone else gets a 404, so ids cannot be probed.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import BreakGlassGrant, CareTeamMember, Client, ProgramStaff


def clients_visible_to(user: User) -> QuerySet[Client]:
    """Every client `user` may see; an empty queryset for anyone without a rule."""
    if not user.is_authenticated or not user.is_active:
        return Client.objects.none()
    if user.role == Role.CLIENT:
        return Client.objects.filter(user=user)
    if user.role in (Role.CLINICIAN, Role.FACILITATOR):
        on_team = CareTeamMember.objects.filter(client=OuterRef("pk"), user=user)
        rule = Q(Exists(on_team))
        if user.role == Role.CLINICIAN:
            grants = BreakGlassGrant.objects.filter(
                client=OuterRef("pk"), user=user, expires_at__gt=timezone.now()
            )
            rule |= Q(Exists(grants))
        return Client.objects.filter(rule)
    if user.role == Role.DIRECTOR:
        directed = ProgramStaff.objects.filter(program=OuterRef("program_id"), user=user)
        return Client.objects.filter(Exists(directed))
    return Client.objects.none()


def get_client_for_user(user: User, client_id: int) -> Client:
    """The client with `client_id` if `user` may see it; Http404 otherwise."""
    client = clients_visible_to(user).select_related("program", "user").filter(pk=client_id).first()
    if client is None:
        raise Http404("No such client.")
    return client


@transaction.atomic
def read_client_for_user(
    user: User, client_id: int, *, object_type: str = "client", object_id: object = None
) -> Client:
    """Like `get_client_for_user`, and record the read in the audit trail."""
    client = get_client_for_user(user, client_id)
    audit_record(
        actor=user,
        action=Action.READ,
        object_type=object_type,
        object_id=client.pk if object_id is None else object_id,
        client_id=client.pk,
        reason=active_break_glass_reason(user, client),
    )
    return client


def active_break_glass_reason(user: User, client: Client) -> str:
    """The reason of the user's active grant for `client` when not on the care team, else ''."""
    if user.role != Role.CLINICIAN:
        return ""
    if CareTeamMember.objects.filter(client=client, user=user).exists():
        return ""
    grant = (
        BreakGlassGrant.objects.filter(client=client, user=user, expires_at__gt=timezone.now())
        .order_by("-granted_at")
        .first()
    )
    return f"break-glass: {grant.reason}" if grant else ""


def caseload(user: User) -> QuerySet[Client]:
    """The clients listed on the user's home page, with what the list shows."""
    return clients_visible_to(user).select_related("program").order_by("last_name", "first_name")


def may_manage_care_team(user: User, client: Client) -> bool:
    """Directors of the client's program and the client's primary clinician."""
    if user.role == Role.DIRECTOR:
        return ProgramStaff.objects.filter(program_id=client.program_id, user=user).exists()
    return CareTeamMember.objects.filter(client=client, user=user, role="primary").exists()
