"""Staff pages of the schedule: the clinician's day and the form that creates a series."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from openiop.accounts.models import User
from openiop.programs.enrollment_forms import add_service_errors
from openiop.scheduling import selectors
from openiop.scheduling.models import Session
from openiop.scheduling.series_forms import CancelForm, MoveForm, SeriesForm
from openiop.scheduling.services.series import series_create, session_cancel, session_move


@login_required
def day(request: HttpRequest) -> HttpResponse:
    """The sessions the signed-in member of staff runs on one day of their own zone."""
    user: User = request.user  # type: ignore[assignment]
    if user.role not in selectors.SCHEDULER_ROLES:
        raise Http404("No schedule here.")
    zone = ZoneInfo(user.time_zone)
    try:
        shown = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        shown = timezone.localdate(timezone.now(), zone)
    context = {
        "day": shown,
        "zone": zone.key,
        "sessions": selectors.facilitator_day(user, shown),
        "previous": shown - timedelta(days=1),
        "next": shown + timedelta(days=1),
        "programs": selectors.programs_scheduled_by(user),
    }
    return render(request, "scheduling/day.html", context)


@login_required
def series_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Create a weekly series from days and a time; the form builds the RRULE."""
    user: User = request.user  # type: ignore[assignment]
    program = selectors.programs_scheduled_by(user).filter(slug=slug).first()
    if program is None:
        raise Http404("No such program.")
    form = SeriesForm(program, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = series_create(
                program=program,
                kind=data["kind"],
                facilitator=data["facilitator"],
                first_local_start=form.first_local_start(),
                duration_minutes=data["duration_minutes"],
                rrule=form.rrule(),
                track=data["track"],
                capacity=data["capacity"],
                in_person_location=data["in_person_location"],
                actor=user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Series created: {series.sessions.count()} sessions.")
            first = form.cleaned_data["first_date"]
            return redirect(f"{reverse('scheduling:day')}?date={first:%Y-%m-%d}")
    status = 400 if form.is_bound and form.errors else 200
    context = {"program": program, "form": form}
    return render(request, "scheduling/series_new.html", context, status=status)


def _session_for(user: User, session_id: int) -> Session:
    """A session of a program `user` may schedule; Http404 for any other id."""
    session = (
        Session.objects.select_related("program", "track", "facilitator")
        .filter(pk=session_id, program__in=selectors.programs_scheduled_by(user))
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


def _session_page(
    request: HttpRequest,
    session: Session,
    *,
    move: MoveForm | None = None,
    cancel: CancelForm | None = None,
) -> HttpResponse:
    move, cancel = move or MoveForm(), cancel or CancelForm()
    status = 400 if move.errors or cancel.errors else 200
    context = {"session": session, "zone": session.program.time_zone, "move": move}
    return render(request, "scheduling/session.html", {**context, "cancel": cancel}, status=status)


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """One session, with forms to move or cancel it (one occurrence; the series goes on)."""
    return _session_page(request, _session_for(request.user, session_id))  # type: ignore[arg-type]


@login_required
@require_POST
def session_move_view(request: HttpRequest, session_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    session = _session_for(user, session_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            session_move(session=session, new_local_start=form.new_local_start(), actor=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Session moved.")
            return redirect("scheduling:session", session_id=session.pk)
    return _session_page(request, session, move=form)


@login_required
@require_POST
def session_cancel_view(request: HttpRequest, session_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    session = _session_for(user, session_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            session_cancel(session=session, reason=form.cleaned_data["reason"], actor=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Session cancelled.")
            return redirect("scheduling:session", session_id=session.pk)
    return _session_page(request, session, cancel=form)
