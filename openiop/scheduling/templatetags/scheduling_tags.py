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


@register.inclusion_tag("scheduling/_client_week.html")
def client_week_hours_panel(client: Client) -> dict[str, Any]:
    """This week's attended hours against the requirement, with the can't-be-met flag."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from openiop.programs.models import Phase
    from openiop.scheduling.hours import IsoWeek, client_week_hours

    # Hours are owed only while the client is in the program (active or stepped down).
    if not client.enrollments.filter(phase__in=[Phase.ACTIVE, Phase.STEP_DOWN]).exists():
        return {"hours": None}
    today = timezone.now().astimezone(ZoneInfo(client.program.time_zone)).date()
    week = IsoWeek.of(today)
    return {"hours": client_week_hours(client, week), "week": week}
