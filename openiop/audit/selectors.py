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
    """Events matching the filters, newest first, with the actor loaded in the same query.

    Dates are UTC calendar days, both ends inclusive: an event at 23:59:59.999999 UTC on
    `date_to` is in, one at 00:00 UTC the next day is out.
    """
    events = AuditEvent.objects.select_related("actor").order_by("-seq")
    if client_id is not None:
        events = events.filter(client_id=client_id)
    if actor_email:
        events = events.filter(actor__email__iexact=actor_email)
    if date_from:
        events = events.filter(at__gte=datetime.combine(date_from, time.min, UTC))
    # date.max ("9999-12-31") means no end: the day after it does not exist.
    if date_to and date_to < date.max:
        end = datetime.combine(date_to + timedelta(days=1), time.min, UTC)
        events = events.filter(at__lt=end)
    return events
