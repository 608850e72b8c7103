"""Pieces of other apps' pages (see openiop.lib.slots): the client's home, the staff record,
the caseload's "Needs attention" column."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from openiop.accounts.models import Role
from openiop.measures import selectors
from openiop.programs.models import Client


def client_home(request: HttpRequest, client: Client | None) -> str | None:
    """Due and overdue questionnaires on the client's own page (five queries)."""
    user = request.user
    if client is None or getattr(user, "role", None) != Role.CLIENT or client.user_id != user.pk:
        return None
    due = selectors.due_for_clients([client.pk]).get(client.pk, [])
    return render_to_string("measures/_client_home.html", {"due": due}, request=request)


def client_record(request: HttpRequest, client: Client | None) -> str | None:
    """Latest score per instrument, change since baseline and a link to the trends (staff who
    may see the record; the page has already audited the read)."""
    if client is None or getattr(request.user, "role", None) not in selectors.STAFF_VIEWERS:
        return None
    series = selectors.client_series(client)
    due = selectors.due_for_clients([client.pk]).get(client.pk, [])
    context = {
        "client": client,
        "series": series,
        "overdue": [item.name for item in due if item.overdue],
    }
    return render_to_string("measures/_client_record.html", context, request=request)


def staff_home(request: HttpRequest, _subject: object) -> str | None:
    """For directors, above the caseload: each program's outcomes, schedules and instruments
    (one query)."""
    from openiop.programs.selectors import programs_directed_by

    user = request.user
    if getattr(user, "role", None) != Role.DIRECTOR:
        return None
    programs = list(programs_directed_by(user))  # type: ignore[arg-type]
    if not programs:
        return None
    return render_to_string("measures/_staff_home.html", {"programs": programs}, request=request)
