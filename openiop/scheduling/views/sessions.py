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

from openiop.accounts.models import User
from openiop.programs.enrollment_forms import add_service_errors
from openiop.scheduling import selectors
from openiop.scheduling.series_forms import SeriesForm
from openiop.scheduling.services.series import series_create


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
