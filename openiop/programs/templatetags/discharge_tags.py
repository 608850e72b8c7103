"""`{% discharge_link client %}`: the client page's way into discharge, for those it serves."""

from typing import Any

from django import template
from django.urls import reverse

from openiop.programs import selectors
from openiop.programs.models import Client, Phase

register = template.Library()


@register.inclusion_tag("programs/discharge/_link.html", takes_context=True)
def discharge_link(context: dict[str, Any], client: Client) -> dict[str, str]:
    """A "Discharge" link for the care team and directors while the client can be discharged,
    "Discharge summary" once a discharged episode exists; nothing for anyone else."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {}
    if not selectors.may_view_discharge(user, client):
        return {}
    enrollment = selectors.discharge_enrollment_for(client)
    if enrollment is None:
        return {}
    is_open = enrollment.phase in (Phase.ACTIVE, Phase.STEP_DOWN)
    return {
        "discharge_url": reverse("programs:discharge", kwargs={"client_id": client.pk}),
        "discharge_label": "Discharge" if is_open else "Discharge summary",
    }
