"""Compliance pages: search the audit trail and export it (accounting of disclosures).

Only the compliance role may use them; everyone else gets a 404, so the pages cannot be
found by trying. Each search and each export is itself an audit event.
"""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from openiop.audit.forms import AuditSearchForm
from openiop.audit.models import Action, AuditEvent
from openiop.audit.selectors import audit_events
from openiop.audit.services import audit_record

# accounts.Role.COMPLIANCE. Spelled out because audit sits left of accounts and imports no
# domain app (ARCHITECTURE.md); a test keeps the two equal.
AUDITOR_ROLE = "compliance"
PAGE_SIZE = 200
EXPORT_CHUNK = 2000
CSV_COLUMNS = [
    "seq",
    "at",
    "actor_email",
    "actor_role",
    "client_id",
    "action",
    "object_type",
    "object_id",
    "ip",
    "user_agent",
    "reason",
]
# A cell starting with one of these is a formula to a spreadsheet; the user agent and the
# break-the-glass reason are typed by others, so they must not run on the officer's machine.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _require_compliance(request: HttpRequest) -> AbstractBaseUser:
    user = request.user
    if not user.is_authenticated or getattr(user, "role", None) != AUDITOR_ROLE:
        raise Http404
    return user


def _describe(filters: dict[str, Any]) -> str:
    """What was searched for, for the event that records it: a client id, an email, dates."""
    parts = [f"{key}={value}" for key, value in filters.items() if value not in (None, "")]
    return "; ".join(parts)


def _matching(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    return audit_events(
        client_id=filters["client"],
        actor_email=filters["actor"],
        date_from=filters["date_from"],
        date_to=filters["date_to"],
    )


def _record_viewing(user: AbstractBaseUser, action: Action, filters: dict[str, Any]) -> AuditEvent:
    return audit_record(
        actor=user,
        action=action,
        object_type="audit_event",
        client_id=filters["client"],
        reason=_describe(filters),
    )


def _page(request: HttpRequest, form: AuditSearchForm, events: list[AuditEvent]) -> HttpResponse:
    return render(
        request,
        "audit/search.html",
        {"form": form, "events": events, "page_size": PAGE_SIZE, "query": request.GET.urlencode()},
        status=400 if form.errors else 200,
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = _require_compliance(request)
    form = AuditSearchForm(request.GET or None)
    events: list[AuditEvent] = []
    if form.is_valid():
        with transaction.atomic():
            events = list(_matching(form.cleaned_data)[:PAGE_SIZE])
            # Viewing the trail is itself audited, with what was searched for.
            _record_viewing(user, Action.SEARCH, form.cleaned_data)
    return _page(request, form, events)


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_rows(events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in events:
        row = [
            e.seq,
            e.at.isoformat(),
            e.actor.email if e.actor else "",
            e.actor_role,
            e.client_id or "",
            e.action,
            e.object_type,
            e.object_id,
            e.ip or "",
            e.user_agent,
            e.reason,
        ]
        yield writer.writerow([_cell(value) for value in row])


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def export_csv(request: HttpRequest) -> HttpResponseBase:
    """Every matching event as CSV; no filters at all exports the whole trail."""
    user = _require_compliance(request)
    form = AuditSearchForm(request.GET)
    if not form.is_valid():
        return _page(request, form, [])
    filters = form.cleaned_data
    with transaction.atomic():
        recorded = _record_viewing(user, Action.EXPORT, filters)
    # The file holds the events before the export's own; streamed in chunks, so years of
    # trail never sit in memory at once.
    events = _matching(filters).filter(seq__lt=recorded.seq).iterator(chunk_size=EXPORT_CHUNK)
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
    return response
