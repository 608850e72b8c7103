from django import template

from openiop.care.forms import INSTRUMENT_NAMES

register = template.Library()


@register.filter
def instrument(code: str) -> str:
    """An instrument's name for its code (the code itself when unknown)."""
    return INSTRUMENT_NAMES.get(code, code)
