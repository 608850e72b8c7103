"""Demo data for safety (all fictional: made-up names, 555 numbers, .test addresses).

Alex has a signed safety plan, a support person who may be contacted and a confirmed
location in Chicago; Riverbend has an on-call rota for the next two weeks (evenings, nights
and weekends, with a backup) and local emergency entries for Chicago and Illinois; Sam has
one open moderate alert, so the caseload badge and /alerts/ show something.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.programs.models import Client, EmergencyContact, Program
from openiop.safety.models import (
    Alert,
    AlertSource,
    ConfirmedLocation,
    EmergencyResource,
    OnCallShift,
    SafetyPlan,
    Severity,
)
from openiop.safety.services import (
    alert_raise,
    location_confirm,
    safety_plan_save,
    safety_plan_sign,
)

PROGRAM = "riverbend-demo"
DIRECTOR = "director@demo.openiop.test"
ON_CALL = "clinician2@demo.openiop.test"
BACKUP = "clinician@demo.openiop.test"
PLAN_CLIENT = "alex@demo.openiop.test"
ALERT_CLIENT = "sam@demo.openiop.test"
ALERT_REF = "demo:seed"
ROTA_DAYS = 14

PLAN = {
    "warning_signs": "I stop answering messages and stay in bed past noon.",
    "coping_alone": "A walk round the block; the 4-7-8 breathing exercise; loud music.",
    "distractions": "The corner café; calling my cousin Jo (demo); the library.",
    "people_to_ask": "Jo (cousin, demo), 555-0100-321; my neighbour Pat (demo).",
    "safer_surroundings": "My sister keeps the spare medication at her place.",
}

RESOURCES = [
    # label, region, city, postal prefix, dispatch, crisis team, crisis phone, ED, ED phone
    (
        "Chicago north side (demo)",
        "IL",
        "Chicago",
        "606",
        "312-555-0191",
        "North Side Mobile Crisis (demo)",
        "312-555-0192",
        "Lakeview General ED (demo), 1 Example Pkwy",
        "312-555-0193",
    ),
    (
        "Chicago (demo)",
        "IL",
        "Chicago",
        "",
        "312-555-0181",
        "Chicago Mobile Crisis (demo)",
        "312-555-0182",
        "Cityview Hospital ED (demo), 2 Sample Rd",
        "312-555-0183",
    ),
    (
        "Illinois (demo)",
        "IL",
        "",
        "",
        "217-555-0171",
        "Illinois Crisis Team (demo)",
        "217-555-0172",
        "",
        "",
    ),
]


def seed_safety() -> None:
    """Idempotent: safe to run again."""
    program = Program.objects.filter(slug=PROGRAM).first()
    if program is None:
        return
    with transaction.atomic():
        _plan_contact_and_location()
        _rota(program)
        _resources(program)
        _alert()


def _plan_contact_and_location() -> None:
    client = Client.objects.filter(user__email=PLAN_CLIENT).select_related("program").first()
    if client is None:
        return
    clinician = client.care_team.filter(role="primary").first()  # type: ignore[attr-defined]
    if clinician is not None and not SafetyPlan.objects.filter(client=client).exists():
        from openiop.safety.selectors import plan_defaults

        plan = safety_plan_save(
            client=client,
            actor=clinician.user,
            sections={**PLAN, **plan_defaults(client)},
        )
        safety_plan_sign(plan=plan, actor=client.user)
        safety_plan_sign(plan=plan, actor=clinician.user)
    if not EmergencyContact.objects.filter(client=client, is_support_person=True).exists():
        EmergencyContact.objects.create(
            client=client,
            name="Jo Cousin (demo)",
            relationship="cousin",
            phone="+13125550321",
            is_support_person=True,
            consent_to_contact=True,
        )
    if not ConfirmedLocation.objects.filter(client=client, declined=False).exists():
        location_confirm(
            client=client,
            session=None,
            actor=client.user,
            address="100 Demo Street",
            city="Chicago",
            region="IL",
            postal_code="60657",
            country="US",
        )


def _rota(program: Program) -> None:
    """Weeknights 17:00–09:00 and weekends, for two weeks from today (program zone)."""
    on_call = User.objects.filter(email=ON_CALL).first()
    backup = User.objects.filter(email=BACKUP).first()
    if on_call is None or OnCallShift.objects.filter(program=program).exists():
        return
    zone = ZoneInfo(program.time_zone)
    today = timezone.localdate(timezone.now(), zone)
    # From the last Friday, so a weekend demo has someone on call now.
    for offset in range(-3, ROTA_DAYS):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue  # Friday's shift runs to Monday morning
        following = day + timedelta(days=1)
        while following.weekday() >= 5:
            following += timedelta(days=1)
        OnCallShift.objects.create(
            program=program,
            starts_at=datetime.combine(day, time(17), tzinfo=zone),
            ends_at=datetime.combine(following, time(9), tzinfo=zone),
            primary=on_call,
            backup=backup,
        )


def _resources(program: Program) -> None:
    for label, region, city, prefix, dispatch, team, team_phone, ed, ed_phone in RESOURCES:
        EmergencyResource.objects.get_or_create(
            program=program,
            label=label,
            defaults={
                "country": "US",
                "region": region,
                "city": city,
                "postal_prefix": prefix,
                "dispatch_phone": dispatch,
                "mobile_crisis_name": team,
                "mobile_crisis_phone": team_phone,
                "nearest_ed": ed,
                "nearest_ed_phone": ed_phone,
            },
        )


def _alert() -> None:
    client = Client.objects.filter(user__email=ALERT_CLIENT).first()
    if client is None or Alert.objects.filter(client=client, source_ref=ALERT_REF).exists():
        return
    alert_raise(
        client=client,
        severity=Severity.MODERATE,
        source=AlertSource.CHECKIN,
        reason="Check-in text matched the crisis-word list (demo)",
        source_ref=ALERT_REF,
    )
