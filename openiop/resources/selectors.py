"""Reads of the resources app: who may keep the directory, search by distance, stale flags,
referrals out with their permission checks."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.programs.models import CareTeamMember, Client, Program, ProgramStaff
from openiop.programs.selectors import get_client_for_user, on_team_or_directs
from openiop.resources import geo
from openiop.resources.models import (
    STALE_AFTER,
    ClientResource,
    PartnerLocation,
    ProgramPart2,
    ReferralOut,
    Resource,
)

DIRECTORY_ROLES = (Role.DIRECTOR, Role.CLINICIAN, Role.FACILITATOR)
RADII = (5, 10, 25, 50, 100)  # miles offered in the search
DEFAULT_RADIUS = 25


def programs_staffed_by(user: User) -> QuerySet[Program]:
    """Programs whose directory `user` keeps: directors, clinicians and facilitators on staff."""
    if not user.is_authenticated or not user.is_active or user.role not in DIRECTORY_ROLES:
        return Program.objects.none()
    staffed = ProgramStaff.objects.filter(program=OuterRef("pk"), user=user)
    return Program.objects.filter(Exists(staffed))


def get_program_for_staff(user: User, slug: str) -> Program:
    program = programs_staffed_by(user).filter(slug=slug).first()
    if program is None:
        raise Http404("No such program.")
    return program


def get_resource_for_staff(user: User, program: Program, resource_id: int) -> Resource:
    resource = Resource.objects.filter(program=program, pk=resource_id).first()
    if resource is None:
        raise Http404("No such entry.")
    return resource


def is_part2(program: Program) -> bool:
    return ProgramPart2.objects.filter(program=program, is_part2=True).exists()


def stale_cutoff(today: date) -> date:
    """Entries last verified before this day are stale."""
    return today - STALE_AFTER


def stale_count(user: User, today: date | None = None) -> int:
    """Active entries needing a check in the programs `user` keeps (one query)."""
    cutoff = stale_cutoff(today or timezone.localdate())
    return Resource.objects.filter(
        program__in=programs_staffed_by(user), is_active=True, last_verified_on__lt=cutoff
    ).count()


@dataclass(frozen=True)
class Found:
    """A search result: the entry and its distance from the searched ZIP code, if known."""

    resource: Resource
    miles: float | None


class UnknownPostalCode(ValueError):
    """The postal code is not a US ZIP code we have a centroid for."""


def directory_search(
    program: Program,
    *,
    category: str = "",
    postal_code: str = "",
    radius_miles: float = DEFAULT_RADIUS,
    include_online: bool = True,
    listed_only: bool = True,
    crisis_only: bool = False,
) -> list[Found]:
    """Listed entries of `program`, of `category` if given. With a postal code: in-person
    entries within `radius_miles` of its centroid, nearest first, then online ones (no
    distance). One query; the bounding box narrows it in the database, the haversine
    distance decides. UnknownPostalCode for a code without a centroid."""
    entries = Resource.objects.filter(program=program)
    if listed_only:  # staff also see the unlisted entries, to list them again
        entries = entries.filter(is_active=True)
    if category:
        entries = entries.filter(category=category)
    if crisis_only:
        entries = entries.filter(is_crisis=True)
    if not postal_code.strip():
        return [Found(r, None) for r in entries.order_by("category", "name", "pk")]
    origin = geo.centroid(postal_code)
    if origin is None:
        raise UnknownPostalCode(
            f"{postal_code.strip()} is not a US ZIP code we know; check the five digits."
        )
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(origin, radius_miles)
    near = entries.filter(
        is_online=False,
        latitude__gte=min_lat,
        latitude__lte=max_lat,
        longitude__gte=min_lon,
        longitude__lte=max_lon,
    )
    if include_online:
        near = near | entries.filter(is_online=True)
    found = []
    for resource in near:
        if resource.is_online:
            found.append(Found(resource, None))
            continue
        miles = geo.haversine_miles(origin, (resource.latitude, resource.longitude))  # type: ignore[arg-type]
        if miles <= radius_miles:
            found.append(Found(resource, round(miles, 1)))
    found.sort(key=lambda f: (f.miles is None, f.miles or 0, f.resource.name, f.resource.pk))
    return found


def crisis_resources(program: Program) -> QuerySet[Resource]:
    """The program's listed crisis entries (crisis lines, emergency departments)."""
    return Resource.objects.filter(program=program, is_active=True, is_crisis=True).order_by(
        "name", "pk"
    )


CRISIS_RADIUS = 30.0  # miles
CRISIS_SHOWN = 5


def crisis_resources_near(program: Program, postal_code: str, country: str) -> list[Found]:
    """The directory's crisis entries for someone at `postal_code`: in-person ones (crisis
    centres, emergency departments) within 30 miles, nearest first, then the online and
    phone ones; at most five. Outside the US, or for a ZIP code we cannot place, only the
    online and phone ones (a distance cannot be measured). The safety app's Help now page
    and crisis panel show these beside its own per-region EmergencyResource numbers
    (dispatch, mobile crisis team), which match by postal prefix and city instead."""
    code = postal_code.strip()
    if country.strip().upper() not in ("", "US") or not code:
        found = directory_search(program, crisis_only=True)
        return [f for f in found if f.resource.is_online][:CRISIS_SHOWN]
    try:
        found = directory_search(
            program, postal_code=code, radius_miles=CRISIS_RADIUS, crisis_only=True
        )
    except UnknownPostalCode:
        found = [f for f in directory_search(program, crisis_only=True) if f.resource.is_online]
    return found[:CRISIS_SHOWN]


def chosen_for(client: Client) -> list[ClientResource]:
    """The client's "Near me" list (one query)."""
    return list(
        ClientResource.objects.filter(client=client, resource__is_active=True)
        .select_related("resource")
        .order_by("resource__category", "resource__name", "pk")
    )


def partner_locations(program: Program) -> QuerySet[PartnerLocation]:
    return PartnerLocation.objects.filter(program=program, is_active=True).order_by("name", "pk")


# Referrals out -------------------------------------------------------------------------------


def may_refer(user: User, client: Client) -> bool:
    """Clinicians on the care team and the program's directors refer out and send records;
    facilitators see the list. Break-glass readers do neither."""
    if user.role == Role.CLINICIAN:
        return CareTeamMember.objects.filter(client=client, user=user).exists()
    return user.role == Role.DIRECTOR and on_team_or_directs(user, client)


def client_for_referrals(user: User, client_id: int) -> Client:
    """The client whose referrals out `user` may see (care team and directors); Http404
    otherwise, including the client themself and break-glass readers."""
    client = get_client_for_user(user, client_id)
    if not on_team_or_directs(user, client):
        raise Http404("No such client.")
    return client


def get_referral(client: Client, referral_id: int) -> ReferralOut:
    referral = (
        ReferralOut.objects.filter(client=client, pk=referral_id)
        .select_related("resource", "created_by", "client__program")
        .first()
    )
    if referral is None:
        raise Http404("No such referral.")
    return referral


def referrals_of(client: Client) -> list[ReferralOut]:
    return list(
        ReferralOut.objects.filter(client=client)
        .select_related("resource", "created_by")
        .order_by("-created_at", "-pk")
    )
