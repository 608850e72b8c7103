from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet

from openiop.audit.models import AuditEvent


def audit_events(
    *,
    client_id: int | None = None,
    actor_email: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events matching the filters, newest first, with the actor loaded in the same query."""
    events = AuditEvent.objects.select_related("actor").order_by("-seq")
    if client_id is not None:
        events = events.filter(client_id=client_id)
    if actor_email:
        events = events.filter(actor__email__iexact=actor_email)
    if date_from:
        events = events.filter(at__gte=datetime.combine(date_from, time.min, UTC))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, UTC)
        events = events.filter(at__lt=end)
    return events
