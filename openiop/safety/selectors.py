"""Safety reads and the permission rules behind them.

Alerts are staff business: a client never sees them. A member of staff sees an alert when
they may see the client (care team, director, break-glass), when they were paged for it, or
while they are on call for the client's program. Acting on it (acknowledge, resolve) is for
the care team, the program's directors, the on-call clinicians and whoever was paged; a
break-glass reader sees it but may not act (403).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import (
    CareTeamMember,
    CareTeamRole,
    Client,
    EmergencyContact,
    ProgramStaff,
)
from openiop.programs.selectors import clients_visible_to
from openiop.resources.selectors import Found, crisis_resources_near
from openiop.safety.emergency_numbers import EmergencyNumbers, emergency_numbers
from openiop.safety.models import (
    Alert,
    AlertPage,
    AlertState,
    ChecklistTick,
    ConfirmedLocation,
    EmergencyResource,
    OnCallShift,
    SafetyPlan,
)

ALERT_ROLES = (Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR)
# Care-team seats whose holder writes and signs the safety plan with the client.
PLAN_WRITER_SEATS = (CareTeamRole.PRIMARY, CareTeamRole.CLINICIAN, CareTeamRole.PRESCRIBER)
UNRESOLVED = (AlertState.OPEN, AlertState.ACKNOWLEDGED)
NOT_ALLOWED_ALERT = (
    "Only the client's care team, the on-call clinician and the program's director can "
    "acknowledge or resolve this alert."
)
NOT_ALLOWED_PLAN = "Only the client and the clinicians on their care team can change the plan."


def last_location(client: Client) -> ConfirmedLocation | None:
    """The client's most recent confirmed (not declined) location, to prefill the next one."""
    return client.locations.filter(declined=False).first()  # type: ignore[attr-defined]


def location_for_session(client: Client, session_id: int) -> ConfirmedLocation | None:
    return ConfirmedLocation.objects.filter(client=client, session_id=session_id).first()


# Alerts ------------------------------------------------------------------------------------


def _on_call_programs(user: User, at: datetime) -> QuerySet[OnCallShift]:
    return OnCallShift.objects.filter(starts_at__lte=at, ends_at__gt=at).filter(
        Q(primary=user) | Q(backup=user)
    )


def _handles(user: User, at: datetime) -> Q:
    """Alerts `user` must handle: their care-team clients', their programs' (directors),
    those they were paged for or acknowledged, and the open ones of a program they are on
    call for now."""
    rule = Q(Exists(AlertPage.objects.filter(alert=OuterRef("pk"), recipient=user)))
    rule |= Q(acknowledged_by=user)
    if user.role == Role.DIRECTOR:
        rule |= Q(
            Exists(ProgramStaff.objects.filter(program=OuterRef("client__program"), user=user))
        )
    else:
        rule |= Q(Exists(CareTeamMember.objects.filter(client=OuterRef("client"), user=user)))
    on_call = _on_call_programs(user, at).filter(program=OuterRef("client__program"))
    rule |= Q(Exists(on_call), state=AlertState.OPEN)
    return rule


def alerts_to_handle(user: User) -> QuerySet[Alert]:
    """The alerts on the user's list (`/alerts/`, the API, the staff home panel)."""
    if not user.is_authenticated or not user.is_active or user.role not in ALERT_ROLES:
        return Alert.objects.none()
    return Alert.objects.filter(_handles(user, timezone.now()))


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    if not user.is_authenticated or not user.is_active or user.role not in ALERT_ROLES:
        return Alert.objects.none()
    return Alert.objects.filter(
        _handles(user, timezone.now()) | Q(client__in=clients_visible_to(user))
    )


def get_alert_for_user(user: User, alert_id: int) -> Alert:
    """The alert if `user` may see it; Http404 otherwise (as for an unknown id)."""
    alert = (
        alerts_visible_to(user)
        .select_related("client__program", "routing", "acknowledged_by", "resolved_by")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise Http404("No such alert.")
    return alert


@transaction.atomic
def read_alert_for_user(user: User, alert_id: int) -> Alert:
    alert = get_alert_for_user(user, alert_id)
    audit_record(
        actor=user,
        action=Action.READ,
        object_type="safety.alert",
        object_id=alert.pk,
        client_id=alert.client_id,
    )
    return alert


def may_act_on_alert(user: User, alert: Alert) -> bool:
    return alerts_to_handle(user).filter(pk=alert.pk).exists()


# Safety plan --------------------------------------------------------------------------------


def may_edit_plan(user: User, client: Client) -> bool:
    """The client themselves and the clinicians on their care team."""
    if not user.is_active:
        return False
    if user.role == Role.CLIENT:
        return client.user_id == user.pk
    return (
        user.role == Role.CLINICIAN
        and CareTeamMember.objects.filter(
            client=client, user=user, role__in=PLAN_WRITER_SEATS
        ).exists()
    )


def plan_latest(client: Client) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(client=client).order_by("-version").first()


def plan_version(client: Client, version: int) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(client=client, version=version).first()


def plan_history(client: Client) -> list[SafetyPlan]:
    return list(
        SafetyPlan.objects.filter(client=client)
        .select_related("clinician_signed_by")
        .order_by("-version")
    )


def plan_for_crisis(client: Client) -> SafetyPlan | None:
    """What a crisis page shows: the latest version both have signed, else the draft."""
    signed = (
        SafetyPlan.objects.filter(
            client=client, client_signed_at__isnull=False, clinician_signed_at__isnull=False
        )
        .order_by("-version")
        .first()
    )
    return signed or plan_latest(client)


def plan_defaults(client: Client) -> dict[str, str]:
    """The first plan's starting text: 988, the program's on-call line, the clinician."""
    lines = ["988 Suicide & Crisis Lifeline: call or text 988"]
    if client.program.on_call_phone:
        lines.append(f"My program's on-call line: {client.program.on_call_phone}")
    seat = (
        CareTeamMember.objects.filter(client=client, role=CareTeamRole.PRIMARY)
        .select_related("user")
        .first()
    )
    if seat is not None:
        lines.append(f"My clinician: {seat.user}")
    return {"professionals": "\n".join(lines)}


def plans_due_for_review(user: User, today: date) -> list[SafetyPlan]:
    """Signed plans of the user's care-team clients whose review date has come (one query)."""
    if user.role != Role.CLINICIAN:
        return []
    latest = SafetyPlan.objects.filter(client=OuterRef("client")).order_by("-version")
    return list(
        SafetyPlan.objects.filter(
            client__care_team__user=user,
            client__care_team__role__in=PLAN_WRITER_SEATS,
            review_on__lte=today,
            client_signed_at__isnull=False,
            clinician_signed_at__isnull=False,
            pk=Subquery(latest.values("pk")[:1]),
        )
        .select_related("client")
        .order_by("review_on", "pk")[:20]
    )


# Crisis resources --------------------------------------------------------------------------


def support_person(client: Client) -> EmergencyContact | None:
    """The support person the client agreed may be contacted, if any."""
    return (
        EmergencyContact.objects.filter(
            client=client, is_support_person=True, consent_to_contact=True
        )
        .order_by("name", "pk")
        .first()
    )


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _postal(text: str) -> str:
    return "".join(text.upper().split())


def resource_specificity(resource: EmergencyResource, location: ConfirmedLocation) -> int:
    """How closely `resource` fits the location: 0 when it does not match at all, else
    higher for a more specific place (postal prefix > city > region > whole country)."""
    if resource.country.upper() != location.country.upper():
        return 0
    if resource.region and _norm(resource.region) != _norm(location.region):
        return 0
    if resource.city and _norm(resource.city) != _norm(location.city):
        return 0
    if resource.postal_prefix:
        prefix = _postal(resource.postal_prefix)
        if not _postal(location.postal_code).startswith(prefix):
            return 0
        return 100 + len(prefix)
    if resource.city:
        return 30
    if resource.region:
        return 20
    return 10


def resources_matching(
    program_id: int, location: ConfirmedLocation | None
) -> list[EmergencyResource]:
    """The program's entries for the location, most specific first (one query)."""
    if location is None or location.declined or not location.country:
        return []
    candidates = EmergencyResource.objects.filter(
        program_id=program_id, country__iexact=location.country
    )
    scored = [(resource_specificity(r, location), r) for r in candidates]
    return [r for score, r in sorted(scored, key=lambda pair: -pair[0]) if score > 0]


@dataclass(frozen=True)
class CrisisView:
    """What Help now and the crisis panel show about one client."""

    client: Client
    location: ConfirmedLocation | None
    numbers: EmergencyNumbers
    resources: list[EmergencyResource]
    support: EmergencyContact | None
    plan: SafetyPlan | None
    directory: list[Found]  # the program directory's crisis entries near the location


def crisis_view(client: Client, *, session_id: int | None = None) -> CrisisView:
    """The client's place (the session's confirmed location, else the last one, else their
    home country), the emergency numbers there, matching local entries, support person and
    plan."""
    location = None
    if session_id is not None:
        location = location_for_session(client, session_id)
    if location is None or location.declined:
        location = last_location(client)
    country = location.country if location is not None else client.country
    return CrisisView(
        client=client,
        location=location,
        numbers=emergency_numbers(country),
        resources=resources_matching(client.program_id, location),
        support=support_person(client),
        plan=plan_for_crisis(client),
        directory=crisis_resources_near(
            client.program,
            location.postal_code if location is not None and not location.declined else "",
            country or "",
        ),
    )


def checklist_ticks(client: Client, session_id: int | None, since: datetime) -> list[ChecklistTick]:
    ticks = ChecklistTick.objects.filter(client=client).select_related("ticked_by")
    if session_id is not None:
        ticks = ticks.filter(session_id=session_id)
    else:
        ticks = ticks.filter(session__isnull=True, ticked_at__gte=since)
    return list(ticks.order_by("ticked_at", "pk"))
