"""Demo data for the resource directory, hybrid care and family sharing (all fictional:
made-up names, 555 numbers, .test addresses; ZIP codes are real so distances work).

Riverbend's directory around Chicago (one entry stale, one crisis line), a partner location
with one in-person individual session for Sam, two "Near me" picks for Sam, and the demo
family member with an active consent for Sam's schedule, attendance and family-session notes.
"""

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import Client, Program
from openiop.resources.models import ClientResource, FamilyConsent, PartnerLocation, Resource
from openiop.resources.services import information_text, partner_location_save, resource_save
from openiop.scheduling.models import Booking, BookingStatus, Session, SessionKind

PROGRAM = "riverbend-demo"
DIRECTOR = "director@demo.openiop.test"
CLIENT = "sam@demo.openiop.test"
CLINICIAN = "clinician@demo.openiop.test"
FAMILY = "family@demo.openiop.test"

# name, category, fields; `verified_days_ago` > 180 makes an entry stale.
ENTRIES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "Lakeview Peer Support Circle (demo)",
        "peer_support",
        {
            "address_line": "10 Example St",
            "city": "Chicago",
            "postal_code": "60657",
            "hours": "Tuesdays 7–8:30 pm",
            "phone": "312-555-0110",
            "cost": "Free",
            "languages": "English, Spanish",
            "verified_days_ago": 20,
        },
    ),
    (
        "Lincoln Park Community Services (demo)",
        "community_service",
        {
            "address_line": "22 Sample Ave",
            "city": "Chicago",
            "postal_code": "60614",
            "hours": "Mon–Fri 9 am–5 pm",
            "phone": "312-555-0111",
            "cost": "Free",
            "verified_days_ago": 45,
        },
    ),
    (
        "Northbrook Counseling Clinic (demo)",
        "clinic",
        {
            "address_line": "300 Placeholder Rd",
            "city": "Evanston",
            "postal_code": "60201",
            "hours": "Mon–Sat 8 am–7 pm",
            "phone": "847-555-0112",
            "cost": "Sliding scale",
            "verified_days_ago": 60,
        },
    ),
    (
        "Streeterville Lab Draw Station (demo)",
        "lab",
        {
            "address_line": "5 Fiction Plaza",
            "city": "Chicago",
            "postal_code": "60611",
            "hours": "Mon–Fri 7 am–3 pm",
            "phone": "312-555-0113",
            "cost": "Insurance",
            "verified_days_ago": 200,
        },  # stale: flagged to staff
    ),
    (
        "West Side Emergency Department (demo)",
        "emergency",
        {
            "address_line": "1 Imaginary Blvd",
            "city": "Chicago",
            "postal_code": "60612",
            "hours": "24 hours",
            "phone": "312-555-0114",
            "is_crisis": True,
            "verified_days_ago": 30,
        },
    ),
    (
        "Riverbend Warmline (demo)",
        "crisis_line",
        {
            "is_online": True,
            "hours": "Every day 4 pm–midnight",
            "phone": "312-555-0115",
            "cost": "Free",
            "is_crisis": True,
            "verified_days_ago": 10,
        },
    ),
    (
        "Naperville Walking Club (demo)",
        "activity",
        {
            "address_line": "8 Trailhead Way",
            "city": "Naperville",
            "postal_code": "60540",
            "hours": "Saturdays 9 am",
            "phone": "630-555-0116",
            "cost": "Free",
            "verified_days_ago": 90,
        },
    ),
]
LOCATION: dict[str, Any] = {
    "name": "Northside Community Center (demo)",
    "address_line": "100 Example Ave",
    "city": "Chicago",
    "region": "IL",
    "postal_code": "60614",
    "directions": "Room 2, ground floor; ring the bell",
    "phone": "312-555-0120",
}
NEAR_ME = ["Lakeview Peer Support Circle (demo)", "Naperville Walking Club (demo)"]


def seed_resources() -> None:
    """Idempotent: safe to run again."""
    program = Program.objects.filter(slug=PROGRAM).first()
    director = User.objects.filter(email=DIRECTOR).first()
    if program is None or director is None:
        return
    today = timezone.localdate()
    for name, category, fields in ENTRIES:
        if Resource.objects.filter(program=program, name=name).exists():
            continue
        extra = dict(fields)
        days = extra.pop("verified_days_ago")
        resource_save(
            program=program,
            actor=director,
            name=name,
            category=category,
            region="" if extra.get("is_online") else "IL",
            last_verified_on=today - timedelta(days=days),
            **extra,
        )
    location = PartnerLocation.objects.filter(program=program, name=LOCATION["name"]).first()
    if location is None:
        location = partner_location_save(program=program, actor=director, **LOCATION)
    sam = Client.objects.filter(user__email=CLIENT).select_related("program").first()
    if sam is None:
        return
    for name in NEAR_ME:
        resource = Resource.objects.get(program=program, name=name)
        ClientResource.objects.get_or_create(
            client=sam, resource=resource, defaults={"added_by": director}
        )
    _in_person_session(sam, location)
    _family_consent(sam)


def _in_person_session(sam: Client, location: PartnerLocation) -> None:
    """Sam's individual session in three days, held in person at the partner location."""
    if Session.objects.filter(in_person_location=location).exists():
        return
    clinician = User.objects.filter(email=CLINICIAN).first()
    if clinician is None:
        return
    zone = ZoneInfo(sam.program.time_zone)
    day = timezone.now().astimezone(zone).date() + timedelta(days=3)
    starts = datetime.combine(day, time(11), tzinfo=zone)
    session = Session.objects.create(
        program=sam.program,
        kind=SessionKind.INDIVIDUAL,
        facilitator=clinician,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=50),
        in_person_location=location,
    )
    Booking.objects.create(session=session, client=sam, status=BookingStatus.BOOKED)
    audit_record(actor=None, action=Action.CREATE, object_type="session", object_id=session.pk)


def _family_consent(sam: Client) -> None:
    """The demo family member sees Sam's schedule, attendance and family-session notes for
    90 days."""
    person = User.objects.filter(email=FAMILY).first()
    if person is None or FamilyConsent.objects.filter(client=sam, family_user=person).exists():
        return
    scopes = ["schedule", "attendance", "family_notes"]
    consent = FamilyConsent.objects.create(
        client=sam,
        family_user=person,
        recipient=str(person),
        relationship="parent",
        information=information_text(scopes),
        purpose="Help with rides to sessions and keep track of attendance (demo)",
        expires_at=timezone.now() + timedelta(days=90),
        signed_name="Sam Sample-Person",
        share_schedule=True,
        share_attendance=True,
        share_family_notes=True,
        created_by=sam.user,
    )
    audit_record(
        actor=sam.user,
        action=Action.CREATE,
        object_type="family_consent",
        object_id=consent.pk,
        client_id=sam.pk,
    )
