"""Program workflows, one module per area; everything is re-exported here.

programs: programs and tracks; records: program staff, clients, care teams, break-glass;
enrollment: phases and their rules; onboarding: the client's first-sign-in steps.
Each write is one transaction with its audit event.
"""

from openiop.programs.services.enrollment import (
    TransitionNotAllowed,
    activation_problems,
    enrollment_open,
    enrollment_set_track,
    enrollment_transition,
)
from openiop.programs.services.onboarding import (
    ContactDetails,
    HomeAddress,
    consent_sign,
    emergency_contact_remove,
    onboarding_contacts_save,
    onboarding_device_check_done,
    onboarding_welcome_seen,
)
from openiop.programs.services.programs import (
    program_create,
    program_update,
    track_create,
    track_update,
)
from openiop.programs.services.records import (
    break_glass_open,
    break_glass_review,
    care_team_add,
    care_team_remove,
    client_create,
    program_staff_add,
)

__all__ = [
    "ContactDetails",
    "HomeAddress",
    "TransitionNotAllowed",
    "activation_problems",
    "break_glass_open",
    "break_glass_review",
    "care_team_add",
    "care_team_remove",
    "client_create",
    "consent_sign",
    "emergency_contact_remove",
    "enrollment_open",
    "enrollment_set_track",
    "enrollment_transition",
    "onboarding_contacts_save",
    "onboarding_device_check_done",
    "onboarding_welcome_seen",
    "program_create",
    "program_staff_add",
    "program_update",
    "track_create",
    "track_update",
]
