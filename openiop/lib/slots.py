"""Slots: a page owned by one app shows pieces owned by apps to its right.

Dependencies point one way (ARCHITECTURE.md), so the client's home page (programs) cannot
import measures or safety. Instead the right-hand app registers a *panel* for a named slot in
its ``AppConfig.ready()``, and the page renders whatever is registered there, in order.

Slots in use:
- ``client_home``   the client's own home page; the panel gets ``(request, client)``
- ``client_record`` the staff view of one client; ``(request, client)``
- ``client_record_top`` the same page, right under the client's name (safety: open alerts)
- ``staff_home``    the top of a staff member's caseload; ``(request, None)``

A panel returns rendered HTML, or ``None`` to show nothing. It must do its own permission
checks against ``request.user`` (the page has already checked the client is visible) and
keep a fixed number of queries.

Navigation links work the same way: ``nav_register`` adds a link for some roles, and the
``nav`` context processor hands the links for the signed-in user's role to ``base.html``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

Panel = Callable[[HttpRequest, Any], str | None]

_panels: dict[str, list[tuple[int, str, Panel]]] = {}


def panel_register(slot: str, panel: Panel, *, order: int = 50) -> None:
    """Add ``panel`` to ``slot``; lower ``order`` renders first. Registering twice is a no-op."""
    entries = _panels.setdefault(slot, [])
    key = f"{panel.__module__}.{panel.__qualname__}"
    if any(existing_key == key for _order, existing_key, _panel in entries):
        return
    entries.append((order, key, panel))
    entries.sort(key=lambda entry: (entry[0], entry[1]))


def panels_render(slot: str, request: HttpRequest, subject: Any = None) -> SafeString:
    parts = [panel(request, subject) for _order, _key, panel in _panels.get(slot, [])]
    return mark_safe("".join(part for part in parts if part))  # noqa: S308 - panels return rendered templates


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int
    emphasis: bool = False


_nav: list[NavLink] = []


def nav_register(
    label: str, url_name: str, *, roles: set[str], order: int = 50, emphasis: bool = False
) -> None:
    """``emphasis`` makes the link stand out (Help now): first in the bar, a solid button."""
    link = NavLink(label, url_name, frozenset(roles), order, emphasis)
    if link not in _nav:
        _nav.append(link)
        _nav.sort(key=lambda item: (item.order, item.label))


def nav(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``extra_nav`` is the registered links for the user's role, as <li>s."""
    role = getattr(getattr(request, "user", None), "role", None)
    if role is None:
        return {"extra_nav": ""}
    links = [
        (" nav-emphasis" if link.emphasis else "", reverse(link.url_name), link.label)
        for link in _nav
        if role in link.roles
    ]
    return {"extra_nav": format_html_join("", '<li class="nav{}"><a href="{}">{}</a></li>', links)}


class Badge(NamedTuple):
    """One explainable reason a client needs attention; ``weight`` ranks clients by need."""

    text: str
    weight: int = 1


Badges = Callable[[Any, list[int]], dict[int, list[Badge]]]
_badges: list[tuple[int, str, Badges]] = []


def badges_register(badges: Badges, *, order: int = 50) -> None:
    """Add a caseload column source: ``badges(user, client_ids) -> {client_id: [Badge, ...]}``.

    One call per page of the caseload, so it must take a fixed number of queries.
    """
    key = f"{badges.__module__}.{badges.__qualname__}"
    if all(existing_key != key for _order, existing_key, _fn in _badges):
        _badges.append((order, key, badges))
        _badges.sort(key=lambda entry: (entry[0], entry[1]))


def badges_for(user: Any, client_ids: list[int]) -> dict[int, list[Badge]]:
    merged: dict[int, list[Badge]] = {client_id: [] for client_id in client_ids}
    for _order, _key, badges in _badges:
        for client_id, texts in badges(user, client_ids).items():
            merged.setdefault(client_id, []).extend(texts)
    return merged
