"""Onboarding reads: which first-login steps a client has done, and the intake queue.

For other features:
- `telehealth_consent_signed(client)` is True when the client has signed the *current*
  version of the telehealth consent. The video feature refuses a first session without it.
- `onboarding_progress(client)` says which of the five steps are done and which comes next.
- `onboarding_required(client)` is what the home page uses to send a client to onboarding.

"Current" is the highest version already published (a row whose `published_at` is in the
future is staged, not current). Publishing a new version therefore un-signs every client
until they sign it, which is what sends them back to that step.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.programs.models import (
    OPEN_PHASES,
    Client,
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    Enrollment,
    Phase,
)
from openiop.programs.selectors import clients_visible_to


class Step(StrEnum):
    WELCOME = "welcome"
    TELEHEALTH = "telehealth_consent"
    TREATMENT = "treatment_consent"
    CONTACTS = "contacts"
    DEVICE = "device_check"


STEPS: tuple[Step, ...] = (
    Step.WELCOME,
    Step.TELEHEALTH,
    Step.TREATMENT,
    Step.CONTACTS,
    Step.DEVICE,
)
STEP_LABELS: dict[Step, str] = {
    Step.WELCOME: "Welcome",
    Step.TELEHEALTH: "Telehealth consent",
    Step.TREATMENT: "Treatment consent",
    Step.CONTACTS: "Emergency contact and address",
    Step.DEVICE: "Device check",
}
CONSENT_STEPS: dict[Step, ConsentKind] = {
    Step.TELEHEALTH: ConsentKind.TELEHEALTH,
    Step.TREATMENT: ConsentKind.TREATMENT,
}
# Phases in which a client is still being onboarded: the intake queue lists them.
INTAKE_PHASES = (Phase.REFERRED, Phase.INTAKE)


@dataclass(frozen=True)
class OnboardingProgress:
    """Which onboarding steps one client has done, in order."""

    done: dict[Step, bool]

    @property
    def next_step(self) -> Step | None:
        return next((step for step in STEPS if not self.done[step]), None)

    @property
    def is_complete(self) -> bool:
        return self.next_step is None

    @property
    def done_count(self) -> int:
        return sum(self.done.values())

    def may_visit(self, step: Step) -> bool:
        """A step already done may be revisited; otherwise only the first unfinished one."""
        return self.done[step] or step == self.next_step


def _published_now() -> QuerySet[ConsentDocument]:
    return ConsentDocument.objects.filter(published_at__lte=timezone.now())


def _current_id(kind: ConsentKind | str) -> Subquery:
    """The id of the current version of `kind`, as a subquery (NULL when none is published)."""
    return Subquery(_published_now().filter(kind=kind).order_by("-version").values("pk")[:1])


def current_consent(kind: ConsentKind | str) -> ConsentDocument | None:
    """The version of `kind` a client signs today."""
    return _published_now().filter(kind=kind).order_by("-version").first()


def telehealth_consent_signed(client: Client) -> bool:
    """True when `client` has signed the current telehealth consent (one query).

    False when no telehealth consent is published at all: nobody can have agreed to it.
    """
    return ConsentSignature.objects.filter(
        client=client, document_id=_current_id(ConsentKind.TELEHEALTH)
    ).exists()


def onboarding_progress(client: Client) -> OnboardingProgress:
    """Which steps `client` has done (one query; the step timestamps are on the row)."""
    signed = set(
        ConsentSignature.objects.filter(client=client)
        .filter(
            Q(document_id=_current_id(ConsentKind.TELEHEALTH))
            | Q(document_id=_current_id(ConsentKind.TREATMENT))
        )
        .values_list("document__kind", flat=True)
    )
    return OnboardingProgress(
        done={
            Step.WELCOME: client.onboarding_welcome_at is not None,
            Step.TELEHEALTH: ConsentKind.TELEHEALTH in signed,
            Step.TREATMENT: ConsentKind.TREATMENT in signed,
            Step.CONTACTS: client.onboarding_contacts_at is not None,
            Step.DEVICE: client.onboarding_device_check_at is not None,
        }
    )


def open_enrollment(client: Client) -> Enrollment | None:
    """The client's current episode of care (at most one is open), with program and track."""
    return (
        client.enrollments.filter(phase__in=OPEN_PHASES).select_related("program", "track").first()
    )


def onboarding_required(client: Client) -> bool:
    """Should the home page send this client to onboarding?

    Only a client in an open episode of care: someone discharged, or an account without an
    enrollment, is not stopped at the door by forms meant for starting the program.
    """
    if not client.enrollments.filter(phase__in=OPEN_PHASES).exists():
        return False
    return not onboarding_progress(client).is_complete


def signed_consents(client: Client) -> QuerySet[ConsentSignature]:
    """Every consent the client has signed, newest first, with its document."""
    return (
        ConsentSignature.objects.filter(client=client)
        .select_related("document")
        .order_by("-signed_at", "-pk")
    )


def may_see_intake_queue(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in (Role.CLINICIAN, Role.DIRECTOR)


def intake_queue(user: User) -> QuerySet[Enrollment]:
    """Enrollments in referred or intake of the clients `user` may see, longest waiting first.

    One query whatever the number of rows: client, program and track are joined, and each
    consent column is an EXISTS over the signatures against the current version's id.
    Annotations: `telehealth_signed` / `treatment_signed` (current version) and
    `telehealth_signed_before` / `treatment_signed_before` (an older version only).
    """
    if not may_see_intake_queue(user):
        return Enrollment.objects.none()
    annotations = {}
    for kind in (ConsentKind.TELEHEALTH, ConsentKind.TREATMENT):
        of_client = ConsentSignature.objects.filter(client=OuterRef("client_id"))
        annotations[f"{kind}_signed"] = Exists(of_client.filter(document_id=_current_id(kind)))
        annotations[f"{kind}_signed_before"] = Exists(of_client.filter(document__kind=kind))
    return (
        Enrollment.objects.filter(
            phase__in=INTAKE_PHASES, client__in=clients_visible_to(user).values("pk")
        )
        # The referral rides along (a join) for the possible-duplicate flag.
        .select_related("client", "program", "track", "referral")
        .annotate(**annotations)
        .order_by("referred_at", "pk")
    )
