"""Writing to the audit trail. Callers are services, inside their own transaction."""

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from openiop.audit import context
from openiop.audit.models import GENESIS_HASH, Action, AuditEvent

# Any 64-bit number unique to this use; PostgreSQL holds it until the transaction ends.
_CHAIN_LOCK_KEY = 0x0A0D17C4A1


def _lock_chain() -> None:
    """Serialise appends so two writers never chain onto the same previous event."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite runs every transaction in IMMEDIATE mode (settings), which already serialises.


def _text(value: str, limit: int) -> str:
    # PostgreSQL refuses NUL in text; the hash must cover exactly what is stored.
    return value.replace("\x00", "")[:limit]


# Reasons starting with this mark a read under emergency access (programs' break-the-glass).
BREAK_GLASS_PREFIX = "break-glass: "


def audit_record(
    *,
    actor: Any,
    action: Action | str,
    object_type: str,
    object_id: object = "",
    client_id: int | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction; it joins that transaction
    so the event commits, or rolls back, with the change it records.

    Callers pass identifiers only (ids, types, the reason typed for break-the-glass), never
    PHI values such as names or dates of birth.
    """
    (event,) = audit_record_many(
        actor=actor,
        action=action,
        object_type=object_type,
        entries=[(client_id, object_id)],
        reason=reason,
    )
    return event


def audit_record_many(
    *,
    actor: Any,
    action: Action | str,
    object_type: str,
    entries: Sequence[tuple[int | None, object]],
    reason: str = "",
) -> list[AuditEvent]:
    """Append one event per (client_id, object_id) in a fixed number of queries: a list page
    records a read for every client it shows without costing a query per row."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction it audits")
    if not entries:
        return []
    _lock_chain()
    previous = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    request = context.current()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    seq = previous.seq if previous else 0
    prev_hash = previous.hash if previous else GENESIS_HASH
    now = timezone.now()
    events = []
    for client_id, object_id in entries:
        seq += 1
        if client_id is not None:
            if reason.startswith(BREAK_GLASS_PREFIX):
                request.client_reasons[client_id] = reason
            event_reason = reason or request.client_reasons.get(client_id, "")
        else:
            event_reason = reason
        event = AuditEvent(
            seq=seq,
            at=now,
            actor=actor if is_user else None,
            actor_role=getattr(actor, "role", "") if is_user else "",
            client_id=client_id,
            action=Action(action).value,  # an unknown action fails loudly here
            object_type=_text(object_type, 64),
            object_id=_text(str(object_id), 64) if object_id is not None else "",
            # Values are stored exactly as hashed: the IP in its canonical spelling, text
            # trimmed to the column sizes, so `audit_verify` recomputes the same hash.
            ip=context.canonical_ip(request.ip),
            user_agent=_text(request.user_agent, 400),
            reason=_text(event_reason, 500),
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = event.compute_hash()
        events.append(event)
    return AuditEvent.objects.bulk_create(events, batch_size=500)


@transaction.atomic
def audit_record_atomic(**kwargs: Any) -> AuditEvent:
    """For callers with nothing else to write (a page view): its own small transaction."""
    return audit_record(**kwargs)


def iter_chain_breaks(batch_size: int = 2000) -> Iterator[tuple[AuditEvent, str]]:
    """Yield (event, problem) for each event that does not continue the chain.

    An edited row fails its own hash; a deleted row leaves a gap in `seq` and a `prev_hash`
    that points at nothing. Rows cut from the end leave no trace inside the chain, which is
    why `audit_verify` prints the head for the operator to keep elsewhere.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    queryset = AuditEvent.objects.order_by("seq")
    for event in queryset.iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            missing = (
                f"seq={expected_seq}"
                if event.seq == expected_seq + 1
                else f"seq={expected_seq}..{event.seq - 1}"
            )
            yield (
                event,
                f"sequence gap: expected {expected_seq}, found {event.seq} ({missing} missing)",
            )
        if event.prev_hash != expected_prev:
            yield event, "prev_hash does not match the previous event's hash"
        if event.compute_hash() != event.hash:
            yield event, "contents do not match its hash (the row was edited)"
        expected_prev = event.hash
        expected_seq = event.seq + 1
