"""The director's pages: the program board, the program's settings and its tracks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from openiop.accounts.models import User
from openiop.programs import selectors, services
from openiop.programs.enrollment_forms import (
    ProgramSettingsForm,
    TrackEditForm,
    TrackForm,
    add_service_errors,
)
from openiop.programs.models import Program, Track


@login_required
def board(request: HttpRequest, slug: str) -> HttpResponse:
    """Tracks and their places, clients per phase, and who is waiting to start."""
    user: User = request.user  # type: ignore[assignment]
    program = selectors.get_program_for_director(user, slug)
    board = selectors.program_board(program)
    waiting = [enrollment.client_id for enrollment in board.waiting]
    selectors.record_list_read(user, waiting, object_type="program_board")
    return render(request, "programs/board.html", {"board": board})


@login_required
def program_settings(request: HttpRequest, slug: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    program = selectors.get_program_for_director(user, slug)
    form = ProgramSettingsForm.for_program(program, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(program=program, actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Program settings saved.")
            return redirect("programs:program_settings", slug=program.slug)
    return _settings_page(request, program, settings_form=form)


@login_required
@require_POST
def track_add(request: HttpRequest, slug: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    program = selectors.get_program_for_director(user, slug)
    form = TrackForm(request.POST)
    if form.is_valid():
        try:
            track = services.track_create(program=program, actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Track \u201c{track.name}\u201d added.")
            return redirect("programs:program_settings", slug=program.slug)
    return _settings_page(request, program, track_form=form)


@login_required
def track_edit(request: HttpRequest, slug: str, track_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    program = selectors.get_program_for_director(user, slug)
    track = get_object_or_404(Track, program=program, pk=track_id)
    form = TrackEditForm.for_track(track, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.track_update(track=track, actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Track saved.")
            return redirect("programs:program_settings", slug=program.slug)
    context = {"program": program, "track": track, "form": form}
    return render(request, "programs/track_edit.html", context, status=_status(form))


def _settings_page(
    request: HttpRequest,
    program: Program,
    *,
    settings_form: ProgramSettingsForm | None = None,
    track_form: TrackForm | None = None,
) -> HttpResponse:
    settings_form = settings_form or ProgramSettingsForm.for_program(program)
    track_form = track_form or TrackForm()
    context = {
        "program": program,
        "settings_form": settings_form,
        "track_form": track_form,
        "tracks": program.tracks.order_by("-is_active", "name"),
    }
    status = max(_status(settings_form), _status(track_form))
    return render(request, "programs/program_settings.html", context, status=status)


def _status(form: ProgramSettingsForm | TrackForm) -> int:
    return 400 if form.is_bound and form.errors else 200
