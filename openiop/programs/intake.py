"""Reads for referral intake: who may refer where, who may handle a client's documents.

Documents (referral letters, inpatient discharge paperwork, scans) are reachable by the
client's care team and the directors of their program only. Not by a break-glass reader:
emergency access is for reading the record in a crisis, not for taking copies of another
provider's files. Not by the client through the portal either: these are third-party records
sent provider to provider, and clients are often on a shared phone in a shared home, where a
downloaded PDF outlives the session and the quick-exit button. A client's right of access is
met through the care team, who can release a copy.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from openiop.accounts.models import Role, User
from openiop.programs.models import (
    Client,
    ClientDocument,
    Program,
    Referral,
)
from openiop.programs.selectors import get_client_for_user, on_team_or_directs

# Roles that take referrals: they must also work in the program. Facilitators run groups and
# do not do intake; clients, family, compliance and admins never refer (API: 403).
REFERRER_ROLES = (Role.CLINICIAN, Role.DIRECTOR)


def may_refer(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in REFERRER_ROLES


def programs_for_referrer(user: User) -> QuerySet[Program]:
    """The programs `user` may record a referral in (empty for any other role)."""
    if not may_refer(user):
        return Program.objects.none()
    return Program.objects.filter(staff__user=user).order_by("name")


def may_handle_documents(user: User, client: Client) -> bool:
    """The client's care team and their program's directors (see the module docstring)."""
    return on_team_or_directs(user, client)


def get_client_for_document_staff(user: User, client_id: int) -> Client:
    """The client if `user` may handle their documents and invitation; Http404 otherwise."""
    client = get_client_for_user(user, client_id)
    if not may_handle_documents(user, client):
        raise Http404("No such client.")
    return client


def get_document_for_user(user: User, client_id: int, document_id: int) -> ClientDocument:
    """One document of one client, for someone who may handle it; Http404 otherwise."""
    client = get_client_for_document_staff(user, client_id)
    document = ClientDocument.objects.filter(client=client, pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    return document


def possible_duplicate(
    program: Program, first_name: str, last_name: str, date_of_birth: date
) -> Client | None:
    """An existing client of `program` with the same name (any case) and date of birth."""
    return (
        Client.objects.filter(
            program=program,
            first_name__iexact=first_name,
            last_name__iexact=last_name,
            date_of_birth=date_of_birth,
        )
        .order_by("pk")
        .first()
    )


@dataclass(frozen=True)
class IntakePanel:
    """What the client overview shows staff about intake: referral, documents, invitation."""

    referral: Referral | None
    duplicate_of: Client | None
    duplicate_visible: bool
    documents: list[ClientDocument]
    invite_pending: bool


def intake_panel(user: User, client: Client) -> IntakePanel | None:
    """The panel for someone who may handle the client's documents; None for anyone else."""
    if not may_handle_documents(user, client):
        return None
    referral = (
        Referral.objects.filter(enrollment__client=client)
        .select_related("possible_duplicate_of", "recorded_by")
        .order_by("-received_at", "-pk")
        .first()
    )
    duplicate = referral.possible_duplicate_of if referral else None
    return IntakePanel(
        referral=referral,
        duplicate_of=duplicate,
        duplicate_visible=bool(duplicate and get_client_or_none(user, duplicate.pk) is not None),
        documents=list(client.documents.select_related("uploaded_by")),
        invite_pending=not client.user.has_usable_password(),
    )


def get_client_or_none(user: User, client_id: int) -> Client | None:
    try:
        return get_client_for_user(user, client_id)
    except Http404:
        return None
