"""`{% intake_panel client %}`: referral, documents and invitation on the client overview."""

from typing import Any

from django import template

from openiop.programs import intake
from openiop.programs.models import Client

register = template.Library()


@register.inclusion_tag("programs/referrals/_client_intake.html", takes_context=True)
def intake_panel(context: dict[str, Any], client: Client) -> dict[str, Any]:
    """The panel for the care team and the program's directors; nothing for anyone else
    (the client, a break-glass reader)."""
    user = context.get("user")
    panel = None
    if user is not None and user.is_authenticated:
        panel = intake.intake_panel(user, client)
    # csrf_token is passed through: the panel's forms post back to the server.
    return {"intake": panel, "client": client, "csrf_token": context.get("csrf_token")}
