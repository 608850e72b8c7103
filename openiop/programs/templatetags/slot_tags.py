from typing import Any

from django import template
from django.utils.safestring import SafeString

from openiop.lib.slots import panels_render

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: dict[str, Any], slot: str, subject: Any = None) -> SafeString:
    """``{% panels "client_home" client %}``: what apps to the right registered for the slot."""
    return panels_render(slot, context["request"], subject)
