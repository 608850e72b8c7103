"""Enrollment pages reached from the client's page: move the phase, assign the track,
change the care team, open an enrollment for a client who has none.

The client's page shows these forms inline (templatetags/enrollment_tags.py); each also has
its own page, where a refused change comes back with the reason and the typed values.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record_atomic
from openiop.programs import selectors, services
from openiop.programs.enrollment_forms import (
    CareTeamSeatForm,
    PhaseChangeForm,
    TrackAssignForm,
    add_service_errors,
)
from openiop.programs.models import CareTeamMember, Client, Enrollment, Phase, Track


@login_required
def phase_change(request: HttpRequest, client_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = selectors.client_for_phase_change(user, client_id)
    enrollment = _current(client)
    form = PhaseChangeForm.for_enrollment(enrollment, request.POST or None)
    status = 400
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_transition(enrollment=enrollment, actor=user, **form.cleaned_data)
        except services.TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
            status = 409
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            label = Phase(form.cleaned_data["to_phase"]).label.lower()
            messages.success(request, f"{client.full_name} is now {label}.")
            return redirect("programs:client_detail", client_id=client.pk)
    problems = services.activation_problems(enrollment) if enrollment.phase == Phase.INTAKE else []
    return _page(
        request, client, enrollment, form, "Change phase", status, activation_problems=problems
    )


@login_required
def track_assign(request: HttpRequest, client_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = selectors.client_for_phase_change(user, client_id)
    enrollment = _current(client)
    form = TrackAssignForm(
        request.POST or None,
        tracks=_open_tracks(enrollment),
        initial={"track": enrollment.track_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_set_track(
                enrollment=enrollment, track=form.cleaned_data["track"], actor=user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Track set to {form.cleaned_data['track'].name}.")
            return redirect("programs:client_detail", client_id=client.pk)
    return _page(request, client, enrollment, form, "Assign a track", 400)


@login_required
@require_POST
def enrollment_start(request: HttpRequest, client_id: int) -> HttpResponse:
    """Open a `referred` enrollment for a client who has no open one (an account made by an
    operator rather than by a referral)."""
    user: User = request.user  # type: ignore[assignment]
    client = selectors.client_for_phase_change(user, client_id)
    try:
        services.enrollment_open(
            client=client, program=client.program, actor=user, reason="opened by staff"
        )
    except services.TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Enrollment opened in phase referred.")
    return redirect("programs:client_detail", client_id=client.pk)


@login_required
def care_team_add(request: HttpRequest, client_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = _client_for_care_team_change(user, client_id)
    form = CareTeamSeatForm(request.POST or None, candidates=selectors.care_team_candidates(client))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.care_team_add(client=client, actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{member.user} joined the care team as {member.get_role_display()}."
            )
            return redirect("programs:client_detail", client_id=client.pk)
    return _page(
        request, client, selectors.current_enrollment(client), form, "Add to the care team", 400
    )


@login_required
@require_POST
def care_team_remove(request: HttpRequest, client_id: int, member_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = _client_for_care_team_change(user, client_id)
    member = get_object_or_404(
        CareTeamMember.objects.select_related("user"), client=client, pk=member_id
    )
    services.care_team_remove(member=member, actor=user)
    messages.success(request, f"{member.user} left the care team.")
    return redirect("programs:client_detail", client_id=client.pk)


def _current(client: Client) -> Enrollment:
    enrollment = selectors.current_enrollment(client)
    if enrollment is None:
        raise Http404("This client has no enrollment.")
    return enrollment


def _open_tracks(enrollment: Enrollment) -> QuerySet[Track]:
    return Track.objects.filter(program_id=enrollment.program_id, is_active=True).order_by("name")


def _client_for_care_team_change(user: User, client_id: int) -> Client:
    client = selectors.get_client_for_user(user, client_id)
    if not selectors.may_manage_care_team(user, client):
        raise PermissionDenied(selectors.NOT_ALLOWED_CARE_TEAM)
    return client


def _page(
    request: HttpRequest,
    client: Client,
    enrollment: Enrollment | None,
    form: forms.Form,
    title: str,
    error_status: int,
    **extra: object,
) -> HttpResponse:
    """One form on its own page, with the client's name and phase: the page is a read of
    the record, so it is audited like the client's page."""
    user: User = request.user  # type: ignore[assignment]
    audit_record_atomic(
        actor=user,
        action=Action.READ,
        object_type="enrollment" if enrollment else "client",
        object_id=enrollment.pk if enrollment else client.pk,
        client_id=client.pk,
    )
    bound_with_errors = form.is_bound and bool(form.errors)
    context = {"client": client, "enrollment": enrollment, "form": form, "title": title, **extra}
    status = error_status if bound_with_errors else 200
    return render(request, "programs/enrollment/form_page.html", context, status=status)
