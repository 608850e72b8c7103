"""The client's own scheduling pages: My week, booking, make-up seats, moving an individual
session, weekly availability. Each page is the signed-in client's only (Http404 for staff)."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record_atomic
from openiop.programs.models import Client
from openiop.scheduling import client_week
from openiop.scheduling.client_forms import AvailabilityForm, ChoiceOfSessionForm
from openiop.scheduling.models import Availability, Booking, BookingStatus, Session
from openiop.scheduling.services.bookings import (
    LIVE,
    BookingOutcome,
    BookingRefused,
    RescheduleRefused,
    availability_add,
    availability_remove,
    booking_cancel,
    booking_create,
    booking_reschedule,
    free_individual_slots,
    reschedule_refusal,
)


def _client(request: HttpRequest) -> tuple[User, Client]:
    user: User = request.user  # type: ignore[assignment]
    return user, client_week.own_client(user)


def _say_outcome(request: HttpRequest, outcome: BookingOutcome) -> None:
    if outcome.waitlist_position is None:
        messages.success(request, "You're booked in. It's on your week below.")
    else:
        messages.info(
            request,
            f"That session is full, so you're on the waitlist (number "
            f"{outcome.waitlist_position}). We'll give you the seat if one frees up.",
        )


@login_required
def my_week(request: HttpRequest) -> HttpResponse:
    user, client = _client(request)
    audit_record_atomic(
        actor=user,
        action=Action.READ,
        object_type="my_week",
        object_id=client.pk,
        client_id=client.pk,
    )
    week = client_week.my_week(client, timezone.now())
    return render(request, "scheduling/client/my_week.html", {"week": week})


@login_required
def book(request: HttpRequest) -> HttpResponse:
    user, client = _client(request)
    if request.method == "POST":
        form = ChoiceOfSessionForm(request.POST)
        if not form.is_valid():
            raise Http404
        session = get_object_or_404(
            Session, pk=form.cleaned_data["session"], program_id=client.program_id
        )
        try:
            _say_outcome(request, booking_create(session=session, client=client, actor=user))
        except BookingRefused as refusal:
            messages.warning(request, str(refusal))
            return redirect("my_schedule:book")
        return redirect("my_schedule:my_week")
    prefer = request.GET.get("prefer", "")
    if prefer not in dict(client_week.PREFERENCES):
        prefer = ""
    rows, filtered = client_week.bookable_sessions(client, timezone.now(), prefer)
    context = {
        "groups": client_week.group_by_label(rows),
        "filtered": filtered,
        "prefer": prefer,
        "preferences": client_week.PREFERENCES,
    }
    return render(request, "scheduling/client/book.html", context)


@login_required
@require_POST
def makeup(request: HttpRequest) -> HttpResponse:
    user, client = _client(request)
    form = ChoiceOfSessionForm(request.POST)
    if not form.is_valid():
        raise Http404
    session = get_object_or_404(Session, pk=form.cleaned_data["session"])
    if not client_week.is_offer(client, session, timezone.now()):
        messages.warning(request, "That make-up seat is no longer on offer.")
        return redirect("my_schedule:my_week")
    try:
        outcome = booking_create(session=session, client=client, actor=user, is_makeup=True)
    except BookingRefused as refusal:
        messages.warning(request, str(refusal))
    else:
        _say_outcome(request, outcome)
    return redirect("my_schedule:my_week")


@login_required
def reschedule(request: HttpRequest, booking_id: int) -> HttpResponse:
    user, client = _client(request)
    booking = get_object_or_404(
        Booking.objects.select_related("session__program", "session__facilitator"),
        pk=booking_id,
        client=client,
        status=BookingStatus.BOOKED,
    )
    now = timezone.now()
    refusal = reschedule_refusal(booking, now)
    if request.method == "POST" and not refusal:
        form = ChoiceOfSessionForm({"session": request.POST.get("to_session", "")})
        if form.is_valid():
            target = get_object_or_404(Session, pk=form.cleaned_data["session"])
            try:
                booking_reschedule(booking=booking, to_session=target, actor=user)
            except RescheduleRefused as error:
                refusal = str(error)
            else:
                messages.success(request, "Your session has been moved.")
                return redirect("my_schedule:my_week")
        else:
            messages.warning(request, "Choose one of the times offered.")
    zone = ZoneInfo(client.time_zone)
    slots = [] if refusal else list(free_individual_slots(booking.session, now)[:50])
    context = {
        "booking": booking,
        "when": client_week.when_text(booking.session, zone),
        "refusal": refusal,
        "slots": [(s, client_week.when_text(s, zone)) for s in slots],
    }
    return render(request, "scheduling/client/reschedule.html", context)


@login_required
def availability(request: HttpRequest) -> HttpResponse:
    user, client = _client(request)
    form = AvailabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        availability_add(client=client, actor=user, **form.cleaned_data)
        messages.success(request, "Saved. We'll suggest sessions that fit these times.")
        return redirect("my_schedule:availability")
    context = {"form": form, "windows": client.availability.all(), "zone": client.time_zone}
    status = 400 if form.errors else 200
    return render(request, "scheduling/client/availability.html", context, status=status)


@login_required
@require_POST
def availability_delete(request: HttpRequest, window_id: int) -> HttpResponse:
    user, client = _client(request)
    window = get_object_or_404(Availability, pk=window_id, client=client)
    availability_remove(window=window, actor=user)
    messages.success(request, "Removed.")
    return redirect("my_schedule:availability")


@login_required
@require_POST
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Give up a seat or a waitlist place; a freed seat goes to the next on the waitlist."""
    user, client = _client(request)
    booking = get_object_or_404(Booking, pk=booking_id, client=client, status__in=LIVE)
    if booking.session.starts_at <= timezone.now():
        messages.warning(
            request, "This session has already started, so it can't be cancelled here."
        )
    else:
        booking_cancel(booking=booking, actor=user)
        messages.success(request, "Your place has been cancelled.")
    return redirect("my_schedule:my_week")
