"""Video pages: pre-join (`/sessions/<id>/join/`), the waiting room and the room
(`/sessions/<id>/room/`), the small JSON endpoints the room page polls and posts to, the
connection-check endpoints, Janus's event hook and the neutral quick-exit page (`/x/`)."""

import base64
import binascii
import hmac
import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from openiop.accounts.models import User
from openiop.programs.onboarding import telehealth_consent_signed
from openiop.safety.selectors import last_location
from openiop.scheduling.models import Session
from openiop.telehealth import janus, selectors, services
from openiop.telehealth.api import issue_ticket_response
from openiop.telehealth.forms import PrejoinForm
from openiop.telehealth.models import ParticipantState

PAYLOAD_BYTES = 200 * 1024
_PAYLOAD = bytes(range(256)) * (PAYLOAD_BYTES // 256)


def _session(request: HttpRequest, session_id: int) -> Session:
    return selectors.session_for_join(request.user, session_id)  # type: ignore[arg-type]


def _closed_page(request: HttpRequest, session: Session, reason: str, status: int) -> HttpResponse:
    return render(
        request,
        "telehealth/closed.html",
        {"session": session, "reason": reason, "program": session.program},
        status=status,
    )


@login_required
@never_cache
def join(request: HttpRequest, session_id: int) -> HttpResponse:
    """Pre-join, every session: device and connection check, privacy, location (clients)."""
    user: User = request.user  # type: ignore[assignment]
    session = _session(request, session_id)
    client = session.client  # type: ignore[attr-defined]
    if client is not None and not telehealth_consent_signed(client):
        return render(request, "telehealth/needs_consent.html", {"session": session}, status=403)
    try:
        services.check_window(session=session, user=user, now=timezone.now())
        participant = services.check_client(session=session, client=client, user=user)
    except services.Refused as refused:
        return _closed_page(request, session, refused.detail, refused.status)
    back_in = participant is not None and participant.state == ParticipantState.ADMITTED
    if request.method == "GET" and back_in and participant.prejoined_at:  # type: ignore[union-attr]
        return redirect("telehealth:room", session.pk)  # reconnect: no second pre-join
    initial = {}
    if client is not None:
        last = last_location(client)
        if last is not None:
            initial = {
                f: getattr(last, f) for f in ("address", "city", "region", "postal_code")
            } | {"country": last.country}
    form = PrejoinForm(request.POST or None, is_client=client is not None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.prejoin_complete(
                user=user,
                session=session,
                client=client,
                answers=form.answers(),
                family=session.family_consent,  # type: ignore[attr-defined]
            )
        except ValidationError as invalid:
            for field, errors in getattr(
                invalid, "message_dict", {"__all__": invalid.messages}
            ).items():
                form.add_error(field if field in form.fields else None, errors)
        except services.Refused as refused:
            return _closed_page(request, session, refused.detail, refused.status)
        else:
            return redirect("telehealth:room", session.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "session": session,
        "form": form,
        "is_client": client is not None,
        "waits": not user.is_staff_role,  # clients and family wait to be let in
    }
    return render(request, "telehealth/join.html", context, status=status)


@login_required
@never_cache
@require_GET
def room(request: HttpRequest, session_id: int) -> HttpResponse:
    """The waiting room and the room (one page; its script switches when admitted)."""
    user: User = request.user  # type: ignore[assignment]
    session = _session(request, session_id)
    participant = selectors.participant_of(session, user)
    if (
        participant is None
        or participant.prejoined_at is None
        or participant.state
        in (
            ParticipantState.LEFT,
            ParticipantState.REMOVED,
        )
    ):
        return redirect("telehealth:join", session.pk)
    context = {
        "session": session,
        "participant": participant,
        "is_staff": participant.is_staff,
        "program": session.program,
        # No idle reload here: the page's poll keeps the sign-in alive during the session.
        "idle_seconds": 0,
        "config": {
            "session": session.pk,
            "staff": participant.is_staff,
            "mode": participant.mode,
            "state": reverse("telehealth:state", args=[session.pk]),
            "ticket": reverse("telehealth:ticket", args=[session.pk]),
            "redeem": reverse("telehealth:redeem"),
            "action": reverse("telehealth:action", args=[session.pk]),
            "exit": reverse("telehealth:neutral"),
            "ends_at": session.ends_at.isoformat(),
        },
    }
    response = render(request, "telehealth/room.html", context)
    origins = sorted({server.browser_origin for server in janus.configured_servers()})
    policy: dict[str, list[str]] = {k: list(v) for k, v in settings.SECURE_CSP.items()}  # type: ignore[call-overload]
    policy["connect-src"] = [*policy.get("connect-src", []), *origins]
    response._csp_config = policy  # type: ignore[attr-defined]
    return response


@login_required
@never_cache
@require_GET
def state(request: HttpRequest, session_id: int) -> JsonResponse:
    """The room page's poll (every few seconds): the caller's own state, the chat since
    `after`, and for staff who is waiting or in the room. Doubles as the heartbeat."""
    user: User = request.user  # type: ignore[assignment]
    session = _session(request, session_id)
    participant = selectors.participant_of(session, user)
    if participant is None:
        raise Http404("Not in this room.")
    now = timezone.now()
    mute = participant.mute_requested
    services.participant_heartbeat(
        participant=participant, reconnecting=request.GET.get("conn") == "reconnecting", now=now
    )
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    room = selectors.room_of(session)
    body: dict[str, Any] = {
        "state": participant.state,
        "mute": mute,
        "hand": participant.hand_raised,
        "locked": bool(room and room.locked),
        "open": session.is_joinable(now),
        "chat": services.chat_since(session, after),
    }
    if participant.is_staff:
        body["people"] = [e.as_json() for e in selectors.room_roster(user, session, now)]
    return JsonResponse(body)


@login_required
@require_POST
def ticket(request: HttpRequest, session_id: int) -> JsonResponse:
    """The same ticket as the API's join-ticket, for the signed-in room page."""
    status, body = issue_ticket_response(request.user, session_id)  # type: ignore[arg-type]
    if "expires_at" in body:
        body["expires_at"] = body["expires_at"].isoformat()
    return JsonResponse(body, status=status)


@login_required
@require_POST
def redeem(request: HttpRequest) -> JsonResponse:
    """Trade a ticket for its room's PIN and the caller's Janus participant ids."""
    try:
        room_number = int(request.POST.get("room", ""))
    except ValueError:
        return JsonResponse({"detail": services.BAD_TICKET}, status=403)
    try:
        answer = services.ticket_redeem(
            user=request.user,  # type: ignore[arg-type]
            token=request.POST.get("token", ""),
            room_number=room_number,
        )
    except services.Refused as refused:
        return JsonResponse({"detail": refused.detail}, status=refused.status)
    except janus.JanusUnavailable:
        return JsonResponse({"detail": services.VIDEO_DOWN}, status=503)
    return JsonResponse(answer)


STAFF_ACTIONS = {"admit", "admit_all", "mute", "remove", "lock", "unlock"}


@login_required
@require_POST
def action(request: HttpRequest, session_id: int) -> JsonResponse:
    """Everything a person does in the room: hand, chat, leave; staff also admit one or all,
    mute, remove, lock and unlock."""
    user: User = request.user  # type: ignore[assignment]
    session = _session(request, session_id)
    participant = selectors.participant_of(session, user)
    if participant is None:
        raise Http404("Not in this room.")
    what = request.POST.get("do", "")
    if what in STAFF_ACTIONS and not participant.is_staff:
        raise Http404("No such action.")
    try:
        target = int(request.POST.get("user", "0") or 0)
    except ValueError:
        target = 0
    try:
        if what == "hand":
            services.participant_hand(participant=participant, raised=request.POST.get("up") == "1")
        elif what == "chat":
            name = selectors.display_name(user, session.client)  # type: ignore[attr-defined]
            services.chat_post(session=session, name=name, text=request.POST.get("text", ""))
        elif what == "leave":
            services.participant_leave(participant=participant)
        elif what == "admit":
            services.participants_admit(session=session, actor=user, user_id=target)
        elif what == "admit_all":
            services.participants_admit(session=session, actor=user)
        elif what in ("mute", "remove"):
            services.participant_control(session=session, actor=user, user_id=target, action=what)
        elif what in ("lock", "unlock"):
            services.room_lock(session=session, actor=user, locked=what == "lock")
        else:
            return JsonResponse({"detail": "Unknown action."}, status=400)
    except ValidationError as invalid:
        return JsonResponse({"detail": " ".join(invalid.messages)}, status=409)
    return JsonResponse({"ok": True})


# --- connection check -------------------------------------------------------------------------


@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """A tiny answer for measuring the round trip."""
    response = HttpResponse(b"ok", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def payload(request: HttpRequest) -> HttpResponse:
    """A fixed 200 KB of incompressible-looking bytes for measuring throughput."""
    response = HttpResponse(_PAYLOAD, content_type="application/octet-stream")
    response["Cache-Control"] = "no-store"
    return response


# --- Janus's event handler --------------------------------------------------------------------


def _janus_authorised(request: HttpRequest) -> bool:
    secret = str(getattr(settings, "JANUS_EVENTS_SECRET", "") or "")
    header = request.headers.get("Authorization", "")
    if not secret or not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(user, "janus") and hmac.compare_digest(password, secret)


@csrf_exempt
@require_POST
def janus_events(request: HttpRequest) -> HttpResponse:
    """Janus posts its events here (sample event handler, grouped into JSON arrays); presence
    is recorded, anything unknown ignored. Always quick, never a 500 for odd input."""
    if not _janus_authorised(request):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Basic realm="janus-events"'
        return response
    try:
        events = json.loads(request.body or b"null")
    except ValueError:
        return HttpResponseBadRequest("not JSON")
    if isinstance(events, dict):
        events = [events]
    if isinstance(events, list):
        services.janus_events_record(events)
    return HttpResponse(status=204)


@require_GET
def neutral(request: HttpRequest) -> HttpResponse:
    """Where quick exit lands: an ordinary-looking notes page, nothing about care."""
    response = render(request, "telehealth/neutral.html")
    response["Cache-Control"] = "no-store"
    return response
