"""Booking a client into their track's recurring groups, from the client's page."""

from django.db.models import QuerySet

from openiop.programs.models import OPEN_PHASES, Client
from openiop.scheduling.models import SessionSeries


def track_series(client: Client) -> QuerySet[SessionSeries]:
    """The running series of the track of the client's open enrollment (none without one)."""
    enrollment = client.enrollments.filter(phase__in=OPEN_PHASES, track__isnull=False).first()
    if enrollment is None or enrollment.track_id is None:
        return SessionSeries.objects.none()
    return SessionSeries.objects.filter(
        track_id=enrollment.track_id, ended_at__isnull=True
    ).order_by("pk")
