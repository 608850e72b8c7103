"""Discharge pages: draft the summary, sign and discharge, read it, export it as a PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record_atomic
from openiop.programs import selectors
from openiop.programs.discharge_forms import (
    DischargeExportForm,
    DischargeSignForm,
    DischargeSummaryForm,
)
from openiop.programs.models import DischargeSummary, Phase
from openiop.programs.selectors import Discharge
from openiop.programs.services import TransitionNotAllowed, enrollment_transition
from openiop.programs.services.discharge import (
    EDITABLE_FIELDS,
    DischargeRefused,
    discharge_summary_draft,
    discharge_summary_export,
    discharge_summary_sign,
    sign_problems,
)

NOTHING_TO_DISCHARGE = (
    "This client has no active or step-down enrollment to discharge. Activate the "
    "enrollment first, or open the discharged episode from the client's page."
)
LOCKED = "This discharge summary is signed and locked; it cannot be changed."
UNSIGNED_EXPORT = "Only a signed discharge summary can be exported. Sign it first."


@login_required
def summary(request: HttpRequest, client_id: int) -> HttpResponse:
    """The draft form for the care team's clinicians; the read-only summary once signed."""
    user: User = request.user  # type: ignore[assignment]
    if request.method != "POST":
        discharge = selectors.read_discharge_for_user(user, client_id)
    else:
        discharge = selectors.get_discharge_for_user(user, client_id)
    may_write = selectors.may_write_discharge(user, discharge.client)
    if request.method == "POST" and not may_write:
        raise Http404
    if discharge.enrollment is None:
        return _refused(request, discharge, NOTHING_TO_DISCHARGE)
    if discharge.summary is not None and discharge.summary.is_signed:
        if request.method == "POST":
            return _refused(request, discharge, LOCKED)
        return _show(request, discharge)
    if not may_write:
        return _show(request, discharge)
    data = request.POST if request.method == "POST" else None
    form = DischargeSummaryForm(data, initial=_initial(discharge.summary))
    if request.method == "POST" and form.is_valid():
        try:
            discharge_summary_draft(
                enrollment=discharge.enrollment, actor=user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        except DischargeRefused as error:
            return _refused(request, discharge, str(error))
        else:
            if "review" in request.POST:
                return redirect("programs:discharge_sign", client_id=client_id)
            messages.success(request, "Draft saved. It is not signed yet.")
            return redirect("programs:discharge", client_id=client_id)
    return render(
        request,
        "programs/discharge/form.html",
        {**_page(discharge), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def sign(request: HttpRequest, client_id: int) -> HttpResponse:
    """The confirmation step: the summary as it will be signed, then sign and discharge."""
    user: User = request.user  # type: ignore[assignment]
    discharge = selectors.get_discharge_for_user(user, client_id)
    if not selectors.may_write_discharge(user, discharge.client):
        raise Http404
    if discharge.summary is None:
        messages.info(request, "Save a draft of the discharge summary first.")
        return redirect("programs:discharge", client_id=client_id)
    if discharge.summary.is_signed and request.method != "POST":
        return redirect("programs:discharge", client_id=client_id)
    form = DischargeSignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            discharge_summary_sign(summary=discharge.summary, actor=user)
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        except (DischargeRefused, TransitionNotAllowed) as error:
            return _refused(request, discharge, str(error))
        else:
            messages.success(request, "Summary signed. The client is discharged.")
            return redirect("programs:discharge", client_id=client_id)
    # The page shows the whole summary: a read, audited like the summary page.
    audit_record_atomic(
        actor=user,
        action=Action.READ,
        object_type="discharge_summary",
        object_id=discharge.summary.pk,
        client_id=discharge.client.pk,
    )
    context = {**_page(discharge), "form": form, "problems": sign_problems(discharge.summary)}
    status = 400 if form.errors else 200
    return render(request, "programs/discharge/sign.html", context, status=status)


@login_required
@require_POST
def pdf(request: HttpRequest, client_id: int) -> HttpResponse:
    """The signed summary as a PDF attachment; every download is a recorded disclosure."""
    user: User = request.user  # type: ignore[assignment]
    discharge = selectors.get_discharge_for_user(user, client_id)
    if discharge.summary is None or not discharge.summary.is_signed:
        return _refused(request, discharge, UNSIGNED_EXPORT)
    form = DischargeExportForm(request.POST)
    if not form.is_valid():
        return _show(request, discharge, export_form=form, status=400)
    data = discharge_summary_export(
        summary=discharge.summary, actor=user, recipient=form.cleaned_data["recipient"]
    )
    response = HttpResponse(data, content_type="application/pdf")
    name = f"discharge-summary-{client_id}-{discharge.summary.discharge_date:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def aftercare(request: HttpRequest, client_id: int) -> HttpResponse:
    """Move a discharged client, whose summary is signed, into aftercare."""
    user: User = request.user  # type: ignore[assignment]
    discharge = selectors.get_discharge_for_user(user, client_id)
    if not selectors.may_write_discharge(user, discharge.client):
        raise Http404
    if discharge.enrollment is None or discharge.summary is None:
        return _refused(request, discharge, NOTHING_TO_DISCHARGE)
    if not discharge.summary.is_signed:
        return _refused(request, discharge, "Sign the discharge summary before aftercare.")
    try:
        enrollment_transition(
            enrollment=discharge.enrollment,
            to_phase=Phase.AFTERCARE,
            reason="aftercare plan started",
            actor=user,
        )
    except TransitionNotAllowed as error:
        return _refused(request, discharge, str(error))
    messages.success(request, "The client is now in aftercare.")
    return redirect("programs:discharge", client_id=client_id)


def _page(discharge: Discharge) -> dict[str, object]:
    assert discharge.enrollment is not None
    return {
        "client": discharge.client,
        "enrollment": discharge.enrollment,
        "summary": discharge.summary,
        "facts": selectors.discharge_facts(discharge.enrollment),
    }


def _show(
    request: HttpRequest,
    discharge: Discharge,
    *,
    export_form: DischargeExportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = {
        **_page(discharge),
        "export_form": export_form or DischargeExportForm(),
        "may_write": selectors.may_write_discharge(user, discharge.client),
    }
    return render(request, "programs/discharge/summary.html", context, status=status)


def _refused(request: HttpRequest, discharge: Discharge, message: str) -> HttpResponse:
    context = {"client": discharge.client, "message": message}
    return render(request, "programs/discharge/refused.html", context, status=409)


def _initial(summary: DischargeSummary | None) -> dict[str, str]:
    if summary is None:
        return {}
    return {name: getattr(summary, name) for name in EDITABLE_FIELDS}
