from openiop.programs.models import Client
from openiop.safety.models import ConfirmedLocation


def last_location(client: Client) -> ConfirmedLocation | None:
    """The client's most recent confirmed (not declined) location, to prefill the next one."""
    return client.locations.filter(declined=False).first()  # type: ignore[attr-defined]


def location_for_session(client: Client, session_id: int) -> ConfirmedLocation | None:
    return ConfirmedLocation.objects.filter(client=client, session_id=session_id).first()
