"""Billing codes suggested for a signed note: the session's CPT code from its kind and
minutes, and the per-day IOP code when the day's attended hours meet the program's minimum.

These are suggestions for the signer, who may change them with a reason; the suggestion is
kept beside what was settled on.
"""

from dataclasses import dataclass
from decimal import Decimal

from openiop.notes.models import NoteKind

IOP_DAY_CODE = "S9480"
# Psychotherapy by time with the patient (CPT): 16–37, 38–52, 53 minutes or more.
INDIVIDUAL_BANDS = ((53, "90837"), (38, "90834"), (16, "90832"))
GROUP_CODE = "90853"
FAMILY_WITH_CLIENT = "90847"
FAMILY_WITHOUT_CLIENT = "90846"
INTAKE_CODE = "90791"
KNOWN_CODES = frozenset(
    {code for _m, code in INDIVIDUAL_BANDS}
    | {GROUP_CODE, FAMILY_WITH_CLIENT, FAMILY_WITHOUT_CLIENT, INTAKE_CODE}
)

TOO_SHORT = "Under 16 minutes of psychotherapy: no time-based code applies."
NOT_ATTENDED = "The client did not attend: there is no service to bill."


@dataclass(frozen=True)
class Suggestion:
    code: str  # "" when nothing applies
    reason: str  # why there is no code ("" when there is one)


def suggest_code(kind: str, minutes: int, *, client_attended: bool) -> Suggestion:
    """The session's code: individual by minutes, group, family with or without the client,
    intake. A family session is billed whether or not the client came (90846 without)."""
    if kind == NoteKind.FAMILY:
        return Suggestion(FAMILY_WITH_CLIENT if client_attended else FAMILY_WITHOUT_CLIENT, "")
    if not client_attended:
        return Suggestion("", NOT_ATTENDED)
    if kind == NoteKind.GROUP:
        return Suggestion(GROUP_CODE, "")
    if kind == NoteKind.INTAKE:
        return Suggestion(INTAKE_CODE, "")
    for floor, code in INDIVIDUAL_BANDS:
        if minutes >= floor:
            return Suggestion(code, "")
    return Suggestion("", TOO_SHORT)


def suggest_day_code(attended_hours: Decimal, minimum_hours: Decimal, *, already: bool) -> str:
    """S9480 when the client's attended hours that day (program zone) meet the program's
    billable-day minimum, unless another signed note of that day already carries it."""
    if already or attended_hours <= 0 or attended_hours < minimum_hours:
        return ""
    return IOP_DAY_CODE
