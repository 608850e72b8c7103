"""Director pages: the on-call rota and the local emergency resources; a clinician's hours."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openiop.accounts.models import Role, User
from openiop.programs.models import Program, ProgramStaff
from openiop.programs.selectors import get_program_for_director
from openiop.safety import routing, services
from openiop.safety.forms import DAY_NAMES, HoursForm, ResourceForm, ShiftForm
from openiop.safety.models import EmergencyResource, OnCallShift, StaffHours

SHIFTS_SHOWN = 100


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _add_errors(form: object, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)  # type: ignore[attr-defined]
    else:
        form.add_error(None, error)  # type: ignore[attr-defined]


@login_required
def on_call(request: HttpRequest, slug: str) -> HttpResponse:
    """The rota: shifts now and ahead (program zone), and a form to add one."""
    program = get_program_for_director(_user(request), slug)
    form = ShiftForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.on_call_shift_add(
                program=program,
                actor=_user(request),
                shift=services.ShiftInput(
                    starts_on=data["starts_on"],
                    starts_time=data["starts_time"],
                    ends_on=data["ends_on"],
                    ends_time=data["ends_time"],
                    primary=data["primary"],
                    backup=data["backup"],
                ),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Shift added.")
            return redirect("safety:on_call", slug=program.slug)
    shifts = list(
        OnCallShift.objects.filter(program=program, ends_at__gt=timezone.now())
        .select_related("primary", "backup")
        .order_by("starts_at", "pk")[:SHIFTS_SHOWN]
    )
    current = routing.shift_at(program, timezone.now())
    return render(
        request,
        "safety/on_call.html",
        {
            "program": program,
            "zone": ZoneInfo(program.time_zone),
            "shifts": shifts,
            "current": current,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def on_call_remove(request: HttpRequest, slug: str, shift_id: int) -> HttpResponse:
    program = get_program_for_director(_user(request), slug)
    shift = get_object_or_404(OnCallShift, pk=shift_id, program=program)
    services.on_call_shift_remove(shift=shift, actor=_user(request))
    messages.success(request, "Shift removed.")
    return redirect("safety:on_call", slug=program.slug)


@login_required
def resources(request: HttpRequest, slug: str, resource_id: int | None = None) -> HttpResponse:
    """Local emergency numbers for the places the program's clients live."""
    program = get_program_for_director(_user(request), slug)
    resource = (
        get_object_or_404(EmergencyResource, pk=resource_id, program=program)
        if resource_id
        else None
    )
    initial = (
        {name: getattr(resource, name) for name in services.RESOURCE_FIELDS} if resource else {}
    )
    form = ResourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_resource_save(
                program=program, actor=_user(request), data=form.cleaned_data, resource=resource
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("safety:resources", slug=program.slug)
    rows = list(EmergencyResource.objects.filter(program=program))
    return render(
        request,
        "safety/resources.html",
        {"program": program, "resources": rows, "form": form, "editing": resource},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def resource_remove(request: HttpRequest, slug: str, resource_id: int) -> HttpResponse:
    program = get_program_for_director(_user(request), slug)
    resource = get_object_or_404(EmergencyResource, pk=resource_id, program=program)
    services.emergency_resource_remove(resource=resource, actor=_user(request))
    messages.success(request, "Removed.")
    return redirect("safety:resources", slug=program.slug)


def _own_program(user: User) -> Program:
    membership = (
        ProgramStaff.objects.filter(user=user).select_related("program").order_by("pk").first()
    )
    if membership is None:
        raise Http404
    return membership.program


@login_required
def my_hours(request: HttpRequest) -> HttpResponse:
    """A clinician's working hours (program zone): alerts go to them while they work."""
    user = _user(request)
    if user.role != Role.CLINICIAN:
        raise Http404
    program = _own_program(user)
    rows = list(StaffHours.objects.filter(user=user, program=program))
    initial = {}
    for row in rows:
        initial[f"start_{row.weekday}"] = row.start
        initial[f"end_{row.weekday}"] = row.end
    form = HoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_hours_set(user=user, program=program, periods=form.periods(), actor=user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Working hours saved.")
            return redirect("safety:my_hours")
    days = [(name, form[f"start_{day}"], form[f"end_{day}"]) for day, name in enumerate(DAY_NAMES)]
    return render(
        request,
        "safety/my_hours.html",
        {"program": program, "form": form, "days": days, "default": not rows},
        status=400 if form.errors else 200,
    )
