from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openiop.accounts.models import User
from openiop.programs import selectors


@login_required
def help_now(request: HttpRequest) -> HttpResponse:
    """Crisis resources, one tap from every client page. Tiny, and it must never fail."""
    user: User = request.user  # type: ignore[assignment]
    client = selectors.clients_visible_to(user).filter(user=user).first()
    return render(request, "safety/help_now.html", {"client": client})
