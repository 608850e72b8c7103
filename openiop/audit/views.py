import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from openiop.accounts.models import Role, User
from openiop.audit.forms import AuditSearchForm
from openiop.audit.models import Action, AuditEvent
from openiop.audit.selectors import audit_events
from openiop.audit.services import audit_record

PAGE_SIZE = 200
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


def _require_compliance(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.COMPLIANCE:
        raise Http404
    return user


def _describe(data: dict) -> str:
    parts = [f"{key}={value}" for key, value in data.items() if value not in (None, "")]
    return "; ".join(parts)[:500]


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = _require_compliance(request)
    form = AuditSearchForm(request.GET or None)
    events: list[AuditEvent] = []
    if form.is_valid():
        filters = form.cleaned_data
        with transaction.atomic():
            events = list(
                audit_events(
                    client_id=filters["client"],
                    actor_email=filters["actor"],
                    date_from=filters["date_from"],
                    date_to=filters["date_to"],
                )[:PAGE_SIZE]
            )
            # Viewing the trail is itself audited, with what was searched for.
            audit_record(
                actor=user,
                action=Action.SEARCH,
                object_type="audit_event",
                client_id=filters["client"],
                reason=_describe(filters),
            )
    return render(
        request,
        "audit/search.html",
        {"form": form, "events": events, "page_size": PAGE_SIZE, "query": request.GET.urlencode()},
        status=400 if form.errors else 200,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events: list[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in events:
        yield writer.writerow(
            [
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
        )


@login_required
def export_csv(request: HttpRequest) -> HttpResponseBase:
    user = _require_compliance(request)
    form = AuditSearchForm(request.GET or None)
    if not form.is_valid():
        return render(request, "audit/search.html", {"form": form, "events": []}, status=400)
    filters = form.cleaned_data
    with transaction.atomic():
        events = list(
            audit_events(
                client_id=filters["client"],
                actor_email=filters["actor"],
                date_from=filters["date_from"],
                date_to=filters["date_to"],
            )
        )
        audit_record(
            actor=user,
            action=Action.EXPORT,
            object_type="audit_event",
            client_id=filters["client"],
            reason=_describe(filters),
        )
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
    return response
