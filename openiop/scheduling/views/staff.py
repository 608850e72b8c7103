"""Staff pages: a session's roster (attendance in one tap) and the director's weekly hours
compliance table."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from openiop.accounts.models import User
from openiop.programs.selectors import get_program_for_director, record_list_read
from openiop.scheduling import hours, roster
from openiop.scheduling.attendance_forms import RosterTapForm
from openiop.scheduling.models import AttendanceSource, AttendanceStatus
from openiop.scheduling.services.attendance import attendance_record, roster_times


@login_required
def session_roster(request: HttpRequest, session_id: int) -> HttpResponse:
    """The booked clients with one button per status; POST records (or corrects) one."""
    user: User = request.user  # type: ignore[assignment]
    session = roster.get_session_for_attendance(user, session_id)
    error: tuple[int, str] | None = None
    if request.method == "POST":
        form = RosterTapForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            client = roster.client_for_attendance(user, session, data["client"])
            joined, left = roster_times(session=session, status=data["status"], now=timezone.now())
            try:
                attendance_record(
                    session=session,
                    client=client,
                    status=data["status"],
                    joined_at=joined,
                    left_at=left,
                    source=AttendanceSource.ROSTER,
                    actor=user,
                    reason=data["reason"],
                )
            except ValidationError as refused:
                error = (client.pk, " ".join(refused.messages))
            else:
                label = AttendanceStatus(data["status"]).label
                messages.success(request, f"{client.full_name}: {label}.")
                return redirect(f"{request.path}#client-{client.pk}")
        else:
            error = (0, "Choose one of the statuses.")
    rows = roster.roster(user, session)
    record_list_read(user, [row.client.pk for row in rows], object_type="session_roster")
    context = {
        "session": session,
        "rows": rows,
        "statuses": AttendanceStatus.choices,
        "error": error,
    }
    return render(request, "scheduling/roster.html", context, status=400 if error else 200)


@login_required
def compliance(request: HttpRequest, slug: str) -> HttpResponse:
    """Every active or step-down client's hours for one ISO week (?week=YYYY-Www)."""
    user: User = request.user  # type: ignore[assignment]
    program = get_program_for_director(user, slug)
    today = timezone.localdate(timezone.now(), hours.ZoneInfo(program.time_zone))
    try:
        week = hours.IsoWeek.parse(request.GET["week"]) if "week" in request.GET else None
    except ValueError as bad:
        context = {"program": program, "error": str(bad), "week": hours.IsoWeek.of(today)}
        return render(request, "scheduling/compliance.html", context, status=400)
    week = week or hours.IsoWeek.of(today)
    rows = hours.compliance_table(program, week)
    record_list_read(user, [row.client.pk for row in rows], object_type="hours_compliance")
    context = {
        "program": program,
        "week": week,
        "rows": rows,
        "flagged": sum(1 for row in rows if row.hours.cannot_meet),
    }
    return render(request, "scheduling/compliance.html", context)
