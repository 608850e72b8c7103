"""Measures completed since the client's last signed note, for a note's header."""

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max

from openiop.measures.models import Response
from openiop.notes.models import ProgressNote
from openiop.scheduling.models import Session

# Without an earlier note, the header looks this far back before the session.
FIRST_NOTE_LOOKBACK = timedelta(days=30)
SHOWN_PER_CLIENT = 10


def measures_since_last_note(session: Session, client_ids: Sequence[int]) -> dict[int, list[str]]:
    """{client_id: ["PHQ-9: 12, moderate (3 Mar)", ...]}, newest first: the responses each
    client submitted after the start of their previous signed note's session (or in the 30
    days before this one) up to this session's end. Two queries whatever the number."""
    if not client_ids:
        return {}
    previous = dict(
        ProgressNote.objects.filter(
            client_id__in=client_ids,
            signed_at__isnull=False,
            session__starts_at__lt=session.starts_at,
        )
        .order_by()
        .values_list("client_id")
        .annotate(last=Max("session__starts_at"))
    )
    default = session.starts_at - FIRST_NOTE_LOOKBACK
    since = {cid: previous.get(cid) or default for cid in client_ids}
    zone = ZoneInfo(session.program.time_zone)
    result: dict[int, list[str]] = {cid: [] for cid in client_ids}
    responses = (
        Response.objects.filter(
            client_id__in=client_ids,
            submitted_at__gt=min(since.values()),
            submitted_at__lte=session.ends_at,
        )
        .select_related("instrument")
        .order_by("-submitted_at", "-pk")
    )
    for response in responses:
        lines = result[response.client_id]
        if response.submitted_at <= since[response.client_id] or len(lines) >= SHOWN_PER_CLIENT:
            continue
        score = "" if response.total is None else f": {response.total}"
        band = f", {response.band.replace('_', ' ')}" if response.band else ""
        flagged = ", flagged for review" if response.flags else ""
        day = response.submitted_at.astimezone(zone).strftime("%-d %b")
        lines.append(f"{response.instrument.name}{score}{band}{flagged} ({day})")
    return result
