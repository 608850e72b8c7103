"""Demo data for instruments as data (fictional): a few weeks of improving PHQ-9 and GAD-7
for Sam, PCL-5 and PHQ-9 for Kendall on the trauma track, daily check-ins without crisis
words, and nothing yet for Alex, whose first PHQ-9 is due so `make run` shows the flow.

Past responses are written straight as rows with back-dated times (the service stamps
"now"); each is checked and scored by the same code as a real one, and audited.
"""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.measures import instruments
from openiop.measures.models import Response, ResponseSource
from openiop.measures.scoring import check_answers, score
from openiop.measures.services import body_digest
from openiop.programs.models import Client

# email -> {instrument code: totals, oldest first, one per `every` days}
HISTORY: dict[str, dict[str, tuple[int, list[int]]]] = {
    "sam@demo.openiop.test": {
        "phq9": (7, [17, 16, 13, 11, 9, 7]),
        "gad7": (7, [14, 13, 11, 9, 8, 6]),
    },
    "kendall@demo.openiop.test": {
        "pcl5": (14, [48, 41, 36, 30]),
        "phq9": (7, [14, 13, 12, 11, 10, 9, 8, 8]),
    },
}
CHECKIN_MOODS = {"sam@demo.openiop.test": [3, 4, 4, 5, 4, 5, 6, 6, 7, 6]}
CHECKIN_NOTES = ["", "Group helped today.", "", "Tried the breathing exercise.", ""]
TOPS = {"phq9": (9, 3), "gad7": (7, 3), "pcl5": (20, 4)}


def _spread(total: int, items: int, top: int) -> dict[str, int]:
    """Answers adding up to `total`, filled from item 1; PHQ-9 item 9 always stays 0 (an
    alert-free history)."""
    answers = {}
    left = total
    for number in range(1, items + 1):
        value = 0 if (items == 9 and number == 9) else min(top, left)
        answers[str(number)] = value
        left -= value
    assert left == 0
    return answers


def _write(client: Client, code: str, answers: dict[str, Any], days_ago: float) -> None:
    loaded = instruments.current(code=code, program=client.program_id)
    assert loaded is not None
    checked = check_answers(loaded.definition, answers)
    result = score(loaded.definition, checked)
    assert not result.risks, "demo history is alert-free"
    response = Response.objects.create(
        client=client,
        instrument=loaded.instrument,
        version=loaded.version,
        answers=checked,
        total=result.total,
        band=result.band,
        flags=result.flags,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        submitted_by=client.user,
        source=ResponseSource.CLIENT,
        body_digest=body_digest(code, answers),
    )
    audit_record(
        actor=None,
        action=Action.CREATE,
        object_type="measures.response",
        object_id=response.pk,
        client_id=client.pk,
    )


@transaction.atomic
def seed_measures() -> None:
    """Idempotent: a client who already has responses is left alone."""
    instruments.builtin_sync()
    for email, history in HISTORY.items():
        client = Client.objects.filter(user__email=email).select_related("user").first()
        if client is None or Response.objects.filter(client=client).exists():
            continue
        # The intake screen, "now": after the enrollment the demo opened moments ago.
        _write(client, "cssrs_screen", {"1": False, "2": False, "6": False}, 0)
        for code, (every, totals) in history.items():
            items, top = TOPS[code]
            for index, total in enumerate(totals):
                days_ago = every * (len(totals) - index) + 1.2  # the latest a week+ ago: due
                _write(client, code, _spread(total, items, top), days_ago)
        for index, mood in enumerate(CHECKIN_MOODS.get(email, [])):
            note = CHECKIN_NOTES[index % len(CHECKIN_NOTES)]
            answers = {"mood": mood, "sleep": 6 + (index % 3) * 0.5, "coping": "skill_1"}
            if note:
                answers["note"] = note
            _write(client, "daily_checkin", answers, len(CHECKIN_MOODS[email]) - index + 0.3)
