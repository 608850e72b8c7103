from typing import Any

from django import template

from openiop.programs.models import Client
from openiop.scheduling.track_groups import track_series

register = template.Library()


@register.inclusion_tag("scheduling/staff/_track_groups.html", takes_context=True)
def track_groups_form(context: dict[str, Any], client: Client) -> dict[str, Any]:
    """A button that books the client into every upcoming session of their track's groups."""
    series = list(track_series(client).select_related("track"))
    return {"client": client, "series": series, "csrf_token": context.get("csrf_token")}
