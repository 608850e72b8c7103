"""Measures completed since the client's last signed note, for a note's header.

Kept in one place so the header works whether or not the measures app has its models yet.
"""

from collections.abc import Sequence

from openiop.scheduling.models import Session


def measures_since_last_note(session: Session, client_ids: Sequence[int]) -> dict[int, list[str]]:
    """{client_id: ["PHQ-9 12 (moderate), 3 Mar", ...]}; empty until measures are recorded."""
    return {}
