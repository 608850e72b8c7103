"""Director pages for one program's week: the capacity board and its closures."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from openiop.accounts.models import User
from openiop.programs.enrollment_forms import add_service_errors
from openiop.programs.selectors import get_program_for_director
from openiop.scheduling.hours import IsoWeek
from openiop.scheduling.models import Closure
from openiop.scheduling.selectors import capacity_board
from openiop.scheduling.series_forms import ClosureForm
from openiop.scheduling.services.series import closure_add


@login_required
def capacity(request: HttpRequest, slug: str) -> HttpResponse:
    """Group and skills sessions of one ISO week (?week=YYYY-Www) with seats and waitlists.
    Lists no client, so it writes no audit event."""
    user: User = request.user  # type: ignore[assignment]
    program = get_program_for_director(user, slug)
    zone = ZoneInfo(program.time_zone)
    this_week = IsoWeek.of(timezone.localdate(timezone.now(), zone))
    try:
        week = IsoWeek.parse(request.GET["week"]) if "week" in request.GET else this_week
    except ValueError as bad:
        context = {"program": program, "error": str(bad), "week": this_week}
        return render(request, "scheduling/capacity.html", context, status=400)
    tracks = capacity_board(program, *week.bounds(zone))
    context = {"program": program, "week": week, "tracks": tracks}
    return render(request, "scheduling/capacity.html", context)


@login_required
def closures(request: HttpRequest, slug: str) -> HttpResponse:
    """Upcoming closures; POST adds one, cancelling that day's sessions with the reason."""
    user: User = request.user  # type: ignore[assignment]
    program = get_program_for_director(user, slug)
    today = timezone.localdate(timezone.now(), ZoneInfo(program.time_zone))
    form = ClosureForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            closure_add(program=program, date=data["date"], reason=data["reason"], actor=user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Closed on {data['date']:%A %-d %B %Y}.")
            return redirect(request.path)
    upcoming = Closure.objects.filter(program=program, date__gte=today)
    context = {"program": program, "form": form, "closures": upcoming}
    return render(request, "scheduling/closures.html", context, status=400 if form.errors else 200)
