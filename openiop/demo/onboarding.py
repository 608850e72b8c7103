"""Demo onboarding: Alex has finished (both consents signed), Jordan stopped half-way.

Called by `seed_demo`; safe to run again: each step is skipped once done, and an enrollment
is opened only for a client who has none (another part of the seed may have opened one).
"""

from openiop.programs.models import Client, ConsentKind, Track
from openiop.programs.onboarding import current_consent
from openiop.programs.services import (
    ContactDetails,
    HomeAddress,
    consent_sign,
    enrollment_open,
    enrollment_transition,
    onboarding_contacts_save,
    onboarding_device_check_done,
    onboarding_welcome_seen,
)

TRACK = ("Adult mood — mornings (demo)", "morning", "Adults")
ALL_STEPS = ("welcome", "telehealth", "treatment", "contacts", "device")
CLIENTS = [
    # email, phase to leave the enrollment in, onboarding steps done
    ("alex@demo.openiop.test", "intake", ALL_STEPS),
    ("jordan@demo.openiop.test", "referred", ("welcome", "telehealth")),
]
ADDRESS = HomeAddress(
    line="1 Demo Way (fictional)",
    city="Springfield",
    region="IL",
    postal_code="62701",
    country="US",
)
CONTACT = ContactDetails(
    name="Pat Supporter (demo)",
    relationship="partner",
    phone="+1 312 555 0142",  # 555-01xx: reserved for fiction
    is_support_person=True,
    consent_to_contact=True,
)


def seed_onboarding() -> None:
    for email, phase, steps in CLIENTS:
        client = Client.objects.select_related("program", "user").get(user__email=email)
        if not client.enrollments.exists():
            name, schedule, population = TRACK
            track, _ = Track.objects.get_or_create(
                program=client.program,
                name=name,
                defaults={"schedule_label": schedule, "population": population},
            )
            enrollment = enrollment_open(
                client=client, program=client.program, actor=None, track=track
            )
            if phase == "intake":
                enrollment_transition(
                    enrollment=enrollment, to_phase="intake", reason="demo", actor=None
                )
        _onboard(client, steps)


def _onboard(client: Client, steps: tuple[str, ...]) -> None:
    me = client.user
    if "welcome" in steps:
        onboarding_welcome_seen(client=client, actor=me)
    for kind in (ConsentKind.TELEHEALTH, ConsentKind.TREATMENT):
        document = current_consent(kind)
        if kind in steps and document is not None:
            consent_sign(
                client=client,
                document=document,
                typed_name=f"{client.first_name} {client.last_name}",
                agreed=True,
                actor=me,
            )
    if "contacts" in steps and not client.emergency_contacts.exists():
        onboarding_contacts_save(client=client, address=ADDRESS, contact=CONTACT, actor=me)
    if "device" in steps:
        onboarding_device_check_done(client=client, actor=me)
