"""Fill a program with many clients quickly, for query-count tests and bench/. Never imported
by the running app.

Rows are bulk-inserted, bypassing the services (and so the audit trail): this builds a load,
not a history. Each client gets one enrollment; phases go round-robin, and clients who fill a
place (active, step-down) are spread over the given tracks.
"""

from collections.abc import Sequence
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.programs.models import (
    CareTeamMember,
    CareTeamRole,
    Client,
    Enrollment,
    Phase,
    Program,
    Track,
)

# Every phase appears; referred and intake twice, so that the waiting queue is long.
PHASE_CYCLE = (
    Phase.REFERRED,
    Phase.INTAKE,
    Phase.ACTIVE,
    Phase.STEP_DOWN,
    Phase.REFERRED,
    Phase.INTAKE,
    Phase.ACTIVE,
    Phase.DISCHARGED,
    Phase.AFTERCARE,
    Phase.DECLINED,
    Phase.WITHDRAWN,
)
_PLACED = (Phase.ACTIVE, Phase.STEP_DOWN, Phase.DISCHARGED, Phase.AFTERCARE)


def fill_program(
    program: Program,
    *,
    clients: int,
    tracks: Sequence[Track] = (),
    primary: User | None = None,
    prefix: str = "fill",
    batch_size: int = 1000,
) -> list[Client]:
    """Create `clients` clients of `program`, each with an enrollment and, when `primary` is
    given, that clinician as their primary clinician."""
    now = timezone.now()
    unusable = make_password(None)  # nobody signs in as these clients
    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{i}@fill.openiop.test",
                role=Role.CLIENT,
                display_name=f"Fill{i}",
                password=unusable,
            )
            for i in range(clients)
        ],
        batch_size=batch_size,
    )
    made = Client.objects.bulk_create(
        [
            Client(
                user=user,
                program=program,
                first_name=f"Fill{i}",
                last_name=f"Client{i:05d}",
                date_of_birth=date(1980 + i % 30, 1 + i % 12, 1 + i % 28),
                time_zone=program.time_zone,
            )
            for i, user in enumerate(users)
        ],
        batch_size=batch_size,
    )
    enrollments = []
    for i, client in enumerate(made):
        phase = PHASE_CYCLE[i % len(PHASE_CYCLE)]
        placed = phase in _PLACED and tracks
        referred_at = now - timedelta(hours=i + 1)
        enrollments.append(
            Enrollment(
                client=client,
                program=program,
                track=tracks[i % len(tracks)] if placed else None,
                phase=phase,
                referred_at=referred_at,
                phase_changed_at=referred_at,
                admitted_at=referred_at if phase in _PLACED else None,
            )
        )
    Enrollment.objects.bulk_create(enrollments, batch_size=batch_size)
    if primary is not None:
        CareTeamMember.objects.bulk_create(
            [CareTeamMember(client=c, user=primary, role=CareTeamRole.PRIMARY) for c in made],
            batch_size=batch_size,
        )
    return made
