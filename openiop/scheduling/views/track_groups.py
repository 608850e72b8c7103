from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from openiop.accounts.models import User
from openiop.programs.selectors import get_client_for_user
from openiop.scheduling.services.bookings import BookingRefused, may_book_for, track_groups_join


@login_required
@require_POST
def join_track_groups(request: HttpRequest, client_id: int) -> HttpResponse:
    """Staff book a client into every upcoming session of their track's recurring groups."""
    user: User = request.user  # type: ignore[assignment]
    client = get_client_for_user(user, client_id)
    if user.role == "client" or not may_book_for(user, client):
        raise Http404
    try:
        booked, waitlisted = track_groups_join(client=client, actor=user)
    except BookingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, f"Booked {booked} upcoming session(s); {waitlisted} on the waitlist."
        )
    return redirect("programs:client_detail", client_id=client.pk)
