"""Telehealth write workflows: rooms just in time, join tickets, pre-join, the waiting room,
facilitator controls, presence from Janus events, and attendance when the session ends.

Callers have checked that the user may enter the session (`selectors.session_for_join`).
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record, audit_record_many
from openiop.notify.services import notify_send
from openiop.programs.models import Client
from openiop.programs.onboarding import telehealth_consent_signed
from openiop.programs.selectors import primary_clinician
from openiop.resources.family import consent_reason, family_join_consent
from openiop.resources.models import FamilyConsent
from openiop.safety.services import location_confirm
from openiop.scheduling.models import Attendance, AttendanceSource, AttendanceStatus, Session
from openiop.scheduling.services.attendance import attendance_record
from openiop.telehealth import janus
from openiop.telehealth.models import (
    JoinTicket,
    Mode,
    Participant,
    ParticipantState,
    Presence,
    Room,
)
from openiop.telehealth.selectors import booked_clients, display_name
from openiop.telehealth.turn import turn_credentials

log = logging.getLogger(__name__)

TICKET_TTL = timedelta(minutes=2)
# The room is closed (attendance computed, Janus room destroyed) this long after the end.
CLOSE_AFTER_END = timedelta(minutes=5)
# Attendance from presence (see `attendance_from_presence`).
LATE_AFTER = timedelta(minutes=10)
EARLY_BEFORE = timedelta(minutes=10)
MERGE_GAP = timedelta(minutes=5)
CHAT_LIMIT = 200
CHAT_MAX_CHARS = 500
# Staff and screen shares on top of the client seats.
EXTRA_PUBLISHERS = 6

CANCELLED = "This session was cancelled."
ENDED = "This session has ended."
NEEDS_CONSENT = "Sign the telehealth consent before your first video session."
REMOVED = "You were removed from this session. Contact your care team if this is a mistake."
BAD_TICKET = "This ticket is not valid for this room. Start again from the join page."
NOT_ADMITTED = "Wait until staff let you in."
ROOM_CLOSED = "This session's room is closed."
LOCKED = "The room is locked: nobody new can come in."
IN_PERSON = "This session meets in person, not by video: see My week for the address."
VIDEO_DOWN = "Video is not available right now. Trying again…"


class Refused(Exception):
    """A join step refused, with the HTTP status the API and the pages answer with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def opens_at_text(session: Session, user: User) -> str:
    zone = ZoneInfo(user.time_zone or session.program.time_zone)
    opens = timezone.localtime(session.starts_at - timedelta(minutes=15), zone)
    return f"Opens at {opens:%a %d %b %H:%M} ({zone.key})"


def check_window(*, session: Session, user: User, now: datetime) -> None:
    """Refuse outside the join window: 409 cancelled, 403 too early (saying when) or ended."""
    if session.is_cancelled:
        raise Refused(409, CANCELLED)
    if session.in_person_location_id is not None:  # hybrid care (#10): no video room
        raise Refused(409, IN_PERSON)
    if session.is_joinable(now):
        return
    if now >= session.ends_at:
        raise Refused(403, ENDED)
    raise Refused(403, opens_at_text(session, user))


def check_client(*, session: Session, client: Client | None, user: User) -> Participant | None:
    """A client needs a signed telehealth consent; a client or family member who was removed
    stays out. Returns their participant row (None for staff, who are never held back)."""
    if client is not None and not telehealth_consent_signed(client):
        raise Refused(403, NEEDS_CONSENT)
    if user.is_staff_role:
        return None
    participant = Participant.objects.filter(session=session, user=user).first()
    if participant is not None and participant.state == ParticipantState.REMOVED:
        raise Refused(403, REMOVED)
    return participant


def audit_about(client: Client | None, family: FamilyConsent | None) -> dict[str, Any]:
    """Whom a room step is about, for its audit event: the client, or for a family member
    the consenting client and the consent that let them in."""
    if family is not None:
        return {"client_id": family.client_id, "reason": consent_reason(family)}
    return {"client_id": client.pk if client else None}


# --- rooms -------------------------------------------------------------------------------------


def _new_room_number() -> int:
    return 100_000_000 + secrets.randbelow(900_000_000)


def room_ensure(session: Session, *, now: datetime | None = None) -> Room:
    """The session's Janus room, created now if it is not yet (idempotent and race-safe: the
    row is inserted once under its unique constraint, then locked while Janus creates the
    room, so two first joiners make one room). Raises janus.JanusUnavailable."""
    now = now or timezone.now()
    with transaction.atomic():
        room = Room.objects.select_for_update().filter(session=session).first()
        if room is None:
            room = _room_insert(session)
        if room.destroyed_at is not None:
            raise Refused(409, ROOM_CLOSED)
        if room.janus_created_at is None:
            server = janus.server_for_url(room.server_url)
            try:
                janus.room_create(
                    server,
                    room=room.number,
                    secret=room.secret,
                    pin=room.pin,
                    description=f"OpenIOP session {session.pk}",
                    publishers=min((session.capacity or 1) + EXTRA_PUBLISHERS, 100),
                )
            except janus.JanusError as error:
                if error.code != janus.ROOM_EXISTS:
                    raise janus.JanusUnavailable(str(error)) from error
            # Only holders of a token we add at redemption may join, PIN or not.
            _allow(server, room, "enable")
            room.janus_created_at = now
            room.save(update_fields=["janus_created_at"])
            transaction.on_commit(lambda: schedule_room_close(room))
    return room


def _allow(
    server: janus.JanusServer, room: Room, action: str, tokens: list[str] | None = None
) -> None:
    try:
        janus.room_allow(server, room=room.number, secret=room.secret, action=action, tokens=tokens)
    except janus.JanusError as error:
        raise janus.JanusUnavailable(str(error)) from error


def _room_insert(session: Session) -> Room:
    server = janus.pick_server(session.pk)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                Room.objects.create(
                    session=session,
                    server_url=server.url,
                    number=_new_room_number(),
                    secret=secrets.token_urlsafe(24),
                    pin=f"{secrets.randbelow(10**8):08d}",
                )
        except IntegrityError:
            pass  # another first joiner inserted it (or, rarely, the number was taken)
        room = Room.objects.select_for_update().filter(session=session).first()
        if room is not None:
            return room
    raise janus.JanusUnavailable("Could not allocate a room number.")


def schedule_room_close(room: Room) -> None:
    """Queue the end-of-session job (backends that cannot defer, as in tests, skip this:
    the tests call `room_close` themselves)."""
    from openiop.telehealth.tasks import room_close_task

    if not room_close_task.get_backend().supports_defer:
        return
    session = Session.objects.only("ends_at").get(pk=room.session_id)
    room_close_task.using(run_after=session.ends_at + CLOSE_AFTER_END).enqueue(room.pk)


# --- tickets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedTicket:
    ticket: JoinTicket
    raw: str
    room: Room
    janus_url: str
    ice_servers: list[dict[str, Any]]


def ice_servers_for(user: User) -> list[dict[str, Any]]:
    """TURN when configured; otherwise none at all (never a public STUN server)."""
    turn = turn_credentials(user.pk)
    return [turn] if turn else []


def ticket_issue(
    *,
    user: User,
    session: Session,
    client: Client | None,
    family: FamilyConsent | None = None,
    now: datetime | None = None,
) -> IssuedTicket:
    """A single-use ticket into the session's room, valid two minutes. Creates the Janus room
    if it does not exist yet. Raises Refused, or janus.JanusUnavailable (say so, show the
    dial-in number)."""
    now = now or timezone.now()
    check_window(session=session, user=user, now=now)
    check_client(session=session, client=client, user=user)
    raw = JoinTicket.new_raw()
    with transaction.atomic():  # one commit for the room (when new) and the ticket
        room = room_ensure(session, now=now)
        ticket = JoinTicket.objects.create(
            digest=JoinTicket.digest_of(raw),
            user=user,
            session=session,
            room=room,
            issued_at=now,
            expires_at=now + TICKET_TTL,
        )
        audit_record(
            actor=user,
            action=Action.CREATE,
            object_type="telehealth.join_ticket",
            object_id=ticket.pk,
            **audit_about(client, family),
        )
    server = janus.server_for_url(room.server_url)
    return IssuedTicket(ticket, raw, room, server.browser_url, ice_servers_for(user))


def _new_feed_id() -> int:
    # Janus participant ids; below 2**53 so JavaScript numbers hold them exactly.
    return 1 + secrets.randbelow(2**52)


@transaction.atomic
def ticket_redeem(
    *, user: User, token: str, room_number: int, now: datetime | None = None
) -> dict[str, Any]:
    """Trade a valid, unused, unexpired ticket for *that* room's PIN and this person's Janus
    participant ids. A forged room number, another person's ticket, a replay or an expired
    ticket is refused (403) with nothing learnt; a client not yet admitted is told to wait
    (409) and keeps the ticket."""
    now = now or timezone.now()
    ticket = (
        JoinTicket.objects.select_related("room", "session", "session__program")
        .filter(digest=JoinTicket.digest_of(token or ""))
        .first()
    )
    if (
        ticket is None
        or ticket.user_id != user.pk
        or ticket.room.number != room_number
        or ticket.used_at is not None
        or ticket.expires_at <= now
        or not ticket.room.is_live
    ):
        raise Refused(403, BAD_TICKET)
    session = ticket.session
    check_window(session=session, user=user, now=now)
    is_staff = user.is_staff_role
    client = Client.objects.filter(user=user).first() if user.role == Role.CLIENT else None
    family = family_join_consent(user, session) if user.role == Role.FAMILY else None
    if user.role == Role.FAMILY and family is None:
        raise Refused(403, BAD_TICKET)  # the consent ended after the ticket was issued
    participant = check_client(session=session, client=client, user=user)
    if not is_staff and (participant is None or participant.state != ParticipantState.ADMITTED):
        raise Refused(409, NOT_ADMITTED)
    feed_id = _new_feed_id()
    screen_id = _new_feed_id() if is_staff else None
    janus_token = secrets.token_urlsafe(24)
    claimed = JoinTicket.objects.filter(pk=ticket.pk, used_at__isnull=True).update(
        used_at=now, feed_id=feed_id, screen_feed_id=screen_id, janus_token=janus_token
    )
    if claimed != 1:
        raise Refused(403, BAD_TICKET)
    server = janus.server_for_url(ticket.room.server_url)
    # On Janus's access list for this room (JanusUnavailable rolls the claim back).
    _allow(server, ticket.room, "add", [janus_token])
    if is_staff:
        Participant.objects.update_or_create(
            session=session,
            user=user,
            defaults={"is_staff": True, "state": ParticipantState.ADMITTED, "last_seen": now},
            create_defaults={
                "is_staff": True,
                "state": ParticipantState.ADMITTED,
                "admitted_at": now,
                "prejoined_at": now,
                "last_seen": now,
            },
        )
    audit_record(
        actor=user,
        action=Action.READ,
        object_type="telehealth.room_entry",
        object_id=ticket.pk,
        **audit_about(client, family),
    )
    return {
        "janus_url": server.browser_url,
        "room": ticket.room.number,
        "pin": ticket.room.pin,
        "janus_token": janus_token,
        "feed_id": feed_id,
        "screen_feed_id": screen_id,
        "display": display_name(user, client),
        "is_staff": is_staff,
        "ice_servers": ice_servers_for(user),
    }


# --- pre-join and the waiting room -------------------------------------------------------------


def recommend_mode(*, rtt_ms: int | None, kbps: int | None, camera_ok: bool | None) -> str:
    """Video above ~1.2 Mbit/s and under 300 ms; low-bandwidth video above ~300 kbit/s;
    otherwise (or without a camera) audio only."""
    if camera_ok is False or kbps is None:
        return Mode.AUDIO
    if kbps >= 1200 and (rtt_ms or 0) < 300:
        return Mode.VIDEO
    if kbps >= 300 and (rtt_ms or 0) < 800:
        return Mode.LOW
    return Mode.AUDIO


@dataclass(frozen=True)
class PrejoinAnswers:
    rtt_ms: int | None
    throughput_kbps: int | None
    camera_ok: bool | None
    mode: str
    private: bool | None = None
    wants_message: bool = False
    location_declined: bool = False
    address: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


def prejoin_complete(
    *,
    user: User,
    session: Session,
    client: Client | None,
    answers: PrejoinAnswers,
    family: FamilyConsent | None = None,
    now: datetime | None = None,
) -> Participant:
    """Record the pre-join checks and, for a client, the location (through safety: declining
    alerts the care team). A client or family member then waits to be admitted; staff go
    straight in. Raises ValidationError (nothing written) or Refused."""
    now = now or timezone.now()
    check_window(session=session, user=user, now=now)
    check_client(session=session, client=client, user=user)
    is_staff = user.is_staff_role
    mode = answers.mode
    if client is not None and answers.private is False:
        mode = Mode.AUDIO  # not private: camera off
    with transaction.atomic():
        if client is not None:
            location_confirm(
                client=client,
                session=session,
                actor=user,
                address=answers.address,
                city=answers.city,
                region=answers.region,
                postal_code=answers.postal_code,
                country=answers.country,
                declined=answers.location_declined,
            )
        existing = Participant.objects.select_for_update().filter(session=session, user=user)
        participant = existing.first()
        if participant is None:
            participant = Participant(session=session, user=user)
        keep_in = participant.state == ParticipantState.ADMITTED
        asked_before = participant.wants_message  # as loaded (False for a new row)
        participant.is_staff = is_staff
        participant.state = (
            ParticipantState.ADMITTED if is_staff or keep_in else ParticipantState.WAITING
        )
        participant.rtt_ms = answers.rtt_ms
        participant.throughput_kbps = answers.throughput_kbps
        participant.camera_ok = answers.camera_ok
        participant.recommended_mode = recommend_mode(
            rtt_ms=answers.rtt_ms, kbps=answers.throughput_kbps, camera_ok=answers.camera_ok
        )
        participant.mode = mode
        participant.private = answers.private if client is not None else None
        participant.wants_message = bool(client is not None and answers.wants_message)
        participant.location_declined = answers.location_declined if client else None
        participant.prejoined_at = now
        participant.last_seen = now
        participant.reconnecting = False
        participant.hand_raised = False
        if is_staff and participant.admitted_at is None:
            participant.admitted_at = now
        participant.save()
        audit_record(
            actor=user,
            action=Action.UPDATE,
            object_type="telehealth.participant",
            object_id=participant.pk,
            **audit_about(client, family),
        )
        if client is not None and participant.wants_message and not asked_before:
            _tell_staff_client_cannot_talk(session, client)
    return participant


def _tell_staff_client_cannot_talk(session: Session, client: Client) -> None:
    """The client chose "I'm not private right now: let my clinician know". The session's
    facilitator and the client's primary clinician get a message at once (email and in-app)
    with a link to the room, naming nobody and nothing clinical; the waiting list shows who
    it is."""
    primary = primary_clinician(client.pk)
    recipients = User.objects.filter(
        pk__in=[pk for pk in (session.facilitator_id, primary and primary.pk) if pk],
        is_active=True,
    )
    zone = ZoneInfo(session.program.time_zone)
    starts = timezone.localtime(session.starts_at, zone)
    for person in recipients:
        notify_send(
            user=person,
            key=f"telehealth:cannot-talk:{session.pk}:{client.pk}:{person.pk}",
            subject="Someone in your video session needs a word",
            body=(
                f"A person waiting for your session at {starts:%H:%M} ({zone.key}) can't talk "
                "privately right now and asked you to get in touch. Open the waiting room to "
                "see who."
            ),
            link=reverse("telehealth:room", args=[session.pk]),
            staff=True,
        )


@transaction.atomic
def participants_admit(
    *, session: Session, actor: User, user_id: int | None = None, now: datetime | None = None
) -> int:
    """Let one waiting client in (`user_id`) or everyone waiting (None). Refused while the
    room is locked. Returns how many came in."""
    now = now or timezone.now()
    if Room.objects.filter(session=session, locked=True).exists():
        raise ValidationError(LOCKED, code="locked")
    waiting = Participant.objects.select_for_update().filter(
        session=session, state=ParticipantState.WAITING
    )
    if user_id is not None:
        waiting = waiting.filter(user_id=user_id)
    admitted = list(waiting)
    if not admitted:
        return 0
    Participant.objects.filter(pk__in=[p.pk for p in admitted]).update(
        state=ParticipantState.ADMITTED, admitted_at=now, admitted_by=actor
    )
    clients = dict(
        Client.objects.filter(user_id__in=[p.user_id for p in admitted]).values_list(
            "user_id", "pk"
        )
    )
    audit_record_many(
        actor=actor,
        action=Action.UPDATE,
        object_type="telehealth.admit",
        entries=[(clients.get(p.user_id), p.pk) for p in admitted],
    )
    return len(admitted)


@transaction.atomic
def participant_control(
    *, session: Session, actor: User, user_id: int, action: str, now: datetime | None = None
) -> None:
    """Staff controls on one participant: `mute` (their page mutes its microphone; Janus
    mutes it for everyone too when it can) or `remove` (out of the room, no new tickets)."""
    participant = (
        Participant.objects.select_for_update().filter(session=session, user_id=user_id).first()
    )
    if participant is None or (participant.is_staff and action == "remove"):
        raise ValidationError("No such participant.", code="missing")
    if action == "mute":
        participant.mute_requested = True
        participant.save(update_fields=["mute_requested"])
    elif action == "remove":
        participant.state = ParticipantState.REMOVED
        participant.save(update_fields=["state"])
        _kick_from_janus(session, user_id)
    else:
        raise ValidationError("Unknown action.", code="unknown")
    client_id = Client.objects.filter(user_id=user_id).values_list("pk", flat=True).first()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type=f"telehealth.{action}",
        object_id=participant.pk,
        client_id=client_id,
    )


def _kick_from_janus(session: Session, user_id: int) -> None:
    """Off the room's access list first (no way back in, even with the PIN), then out."""
    room = Room.objects.filter(session=session).first()
    if room is None or not room.is_live:
        return
    feeds = Presence.objects.filter(room=room, user_id=user_id, left_at__isnull=True)
    server = janus.server_for_url(room.server_url)
    tokens = list(
        JoinTicket.objects.filter(room=room, user_id=user_id)
        .exclude(janus_token="")
        .values_list("janus_token", flat=True)
    )
    if tokens:
        try:
            _allow(server, room, "remove", tokens)
        except janus.JanusUnavailable:
            log.warning("could not withdraw the tokens of a participant of room %s", room.pk)
    for feed_id in feeds.values_list("feed_id", flat=True):
        try:
            janus.room_kick(server, room=room.number, secret=room.secret, participant_id=feed_id)
        except (janus.JanusError, janus.JanusUnavailable):
            log.warning("could not kick feed of room %s", room.pk)


def family_seats_recheck(user: User) -> None:
    """Called when one of a family member's consents is revoked, or their last one lapsed:
    out of every room they may no longer enter, at once. Their seat is closed (the room
    page's next poll gets a 404 and hangs up), Janus drops their feeds after the commit, and
    unused tickets for that room stop working."""
    now = timezone.now()
    seats = Participant.objects.filter(
        user=user, state__in=[ParticipantState.WAITING, ParticipantState.ADMITTED]
    ).select_related("session")
    for seat in seats:
        if family_join_consent(user, seat.session) is not None:
            continue
        Participant.objects.filter(pk=seat.pk).update(
            state=ParticipantState.LEFT, hand_raised=False
        )
        JoinTicket.objects.filter(
            user=user, session=seat.session, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        audit_record(
            actor=None,
            action=Action.UPDATE,
            object_type="telehealth.consent_ended",
            object_id=seat.pk,
            reason="family consent ended",
        )
        transaction.on_commit(partial(_kick_from_janus, seat.session, user.pk))


@transaction.atomic
def room_lock(*, session: Session, actor: User, locked: bool) -> None:
    updated = Room.objects.filter(session=session).update(locked=locked)
    if not updated:
        raise ValidationError("The room has not opened yet.", code="missing")
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="telehealth.room_lock" if locked else "telehealth.room_unlock",
        object_id=session.pk,
    )


def participant_heartbeat(
    *, participant: Participant, reconnecting: bool, now: datetime | None = None
) -> None:
    """The room page's poll: at most one small UPDATE every few seconds per person."""
    now = now or timezone.now()
    fresh = participant.last_seen is not None and participant.last_seen > now - timedelta(seconds=4)
    if fresh and participant.reconnecting == reconnecting and not participant.mute_requested:
        return
    Participant.objects.filter(pk=participant.pk).update(
        last_seen=now, reconnecting=reconnecting, mute_requested=False
    )


def participant_hand(*, participant: Participant, raised: bool) -> None:
    Participant.objects.filter(pk=participant.pk).update(hand_raised=raised)


def participant_leave(*, participant: Participant) -> None:
    """The person left (the Leave or Quick exit button); a client rejoins through pre-join."""
    Participant.objects.filter(pk=participant.pk, state=ParticipantState.ADMITTED).update(
        state=ParticipantState.LEFT, hand_raised=False
    )
    Participant.objects.filter(pk=participant.pk, state=ParticipantState.WAITING).update(
        state=ParticipantState.LEFT
    )


# --- chat: kept in the cache only, gone when the room closes ----------------------------------
#
# Each message is its own cache entry, numbered by an atomic counter (`cache.incr`), so two
# people posting at once in two server processes never overwrite each other. With several
# processes the cache must be shared: OPENIOP_CACHE_URL=redis://... (see DEVELOPERS.md).


def _chat_counter(session_id: int) -> str:
    return f"telehealth:chat:{session_id}:n"


def _chat_item(session_id: int, number: int) -> str:
    return f"telehealth:chat:{session_id}:{number}"


def chat_post(*, session: Session, name: str, text: str, now: datetime | None = None) -> None:
    text = " ".join(text.split())[:CHAT_MAX_CHARS]
    if not text:
        raise ValidationError("Write a message first.")
    now = now or timezone.now()
    ttl = max(int((session.ends_at - now).total_seconds()) + 3600, 60)
    counter = _chat_counter(session.pk)
    cache.add(counter, 0, ttl)
    try:
        number = cache.incr(counter)
    except ValueError:  # the counter expired between add and incr
        cache.add(counter, 0, ttl)
        number = cache.incr(counter)
    message = {"n": number, "name": name, "text": text, "at": now.isoformat()}
    cache.set(_chat_item(session.pk, number), message, ttl)
    cache.touch(counter, ttl)


def chat_since(session: Session, after: int) -> list[dict[str, Any]]:
    """The messages numbered above `after`, at most the last CHAT_LIMIT (two cache reads)."""
    latest = int(cache.get(_chat_counter(session.pk)) or 0)
    first = max(after + 1, latest - CHAT_LIMIT + 1, 1)
    keys = [_chat_item(session.pk, n) for n in range(first, latest + 1)]
    found = cache.get_many(keys) if keys else {}
    return [found[key] for key in keys if key in found]


def chat_forget(session_id: int) -> None:
    latest = int(cache.get(_chat_counter(session_id)) or 0)
    keys = [_chat_item(session_id, n) for n in range(1, latest + 1)]
    cache.delete_many([*keys, _chat_counter(session_id)])


# --- presence from Janus events ----------------------------------------------------------------


def _event_time(event: dict[str, Any]) -> datetime:
    stamp = event.get("timestamp")
    if isinstance(stamp, int) and stamp > 10**15:  # microseconds since the epoch
        return datetime.fromtimestamp(stamp / 1_000_000, tz=ZoneInfo("UTC"))
    return timezone.now()


def janus_events_record(events: list[Any]) -> int:
    """Record presence from a batch of Janus events (the sample event handler's JSON). A
    videoroom `joined` opens an interval for the user whose ticket gave that participant id;
    `leaving`/`kicked`, a detached handle or a destroyed Janus session closes it. Anything
    else is ignored. Returns how many intervals were opened or closed."""
    changed = 0
    for event in events:
        if not isinstance(event, dict):
            continue
        try:
            changed += _record_one(event)
        except (TypeError, ValueError, KeyError):
            continue  # one malformed event never loses the others
    return changed


def _record_one(event: dict[str, Any]) -> int:
    kind = event.get("type")
    body = event.get("event") or {}
    when = _event_time(event)
    if kind == 64 and body.get("plugin") == janus.PLUGIN:
        data = body.get("data") or {}
        name, room_no, feed = data.get("event"), data.get("room"), data.get("id")
        if not isinstance(room_no, int) or not isinstance(feed, int):
            return 0
        if name == "joined":
            return _presence_open(
                room_no, feed, when, event.get("session_id"), event.get("handle_id")
            )
        if name in ("leaving", "kicked", "left"):
            return Presence.objects.filter(
                room__number=room_no, feed_id=feed, left_at__isnull=True
            ).update(left_at=when)
        return 0
    if kind == 2 and body.get("name") == "detached" and isinstance(event.get("handle_id"), int):
        return Presence.objects.filter(
            janus_handle_id=event["handle_id"], left_at__isnull=True
        ).update(left_at=when)
    if kind == 1 and body.get("name") == "destroyed" and isinstance(event.get("session_id"), int):
        return Presence.objects.filter(
            janus_session_id=event["session_id"], left_at__isnull=True
        ).update(left_at=when)
    return 0


def _presence_open(room_no: int, feed: int, when: datetime, janus_session: Any, handle: Any) -> int:
    ticket = (
        JoinTicket.objects.filter(room__number=room_no, feed_id=feed).select_related("room").first()
    )
    if ticket is None:  # a screen share, or a participant we never issued: not presence
        return 0
    if Presence.objects.filter(room=ticket.room, feed_id=feed, left_at__isnull=True).exists():
        return 0  # Janus retransmitted the event
    Presence.objects.create(
        room=ticket.room,
        user_id=ticket.user_id,
        feed_id=feed,
        janus_session_id=janus_session if isinstance(janus_session, int) else None,
        janus_handle_id=handle if isinstance(handle, int) else None,
        joined_at=when,
    )
    return 1


# --- end of the session: presence → attendance, room destroyed --------------------------------


def merge_intervals(
    intervals: list[tuple[datetime, datetime]], *, gap: timedelta = MERGE_GAP
) -> list[tuple[datetime, datetime]]:
    """Overlapping intervals, and intervals separated by a drop shorter than `gap`, become one."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1] + gap:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def status_from_presence(
    session: Session, merged: list[tuple[datetime, datetime]]
) -> tuple[str, datetime | None, datetime | None]:
    """(status, joined_at, left_at) for one client. No presence: no-show. Otherwise the first
    join and the last leave; late when the first join is more than 10 minutes after the start,
    left early when the last leave is more than 10 minutes before the end (late wins when both:
    the hours credited follow the times either way)."""
    if not merged:
        return AttendanceStatus.NO_SHOW, None, None
    joined, left = merged[0][0], merged[-1][1]
    if joined > session.starts_at + LATE_AFTER:
        status = AttendanceStatus.LATE
    elif left < session.ends_at - EARLY_BEFORE:
        status = AttendanceStatus.LEFT_EARLY
    else:
        status = AttendanceStatus.PRESENT
    return status, joined, left


def attendance_from_presence(room: Room, *, now: datetime | None = None) -> dict[int, str]:
    """Record each booked client's attendance from the room's presence (source `video`).
    A client whose attendance was already recorded (the facilitator's roster) keeps it.
    Intervals still open are closed at the session's end. Returns {client_id: status}."""
    now = now or timezone.now()
    session = Session.objects.select_related("program").get(pk=room.session_id)
    clients = list(booked_clients(session))
    recorded = set(
        Attendance.objects.filter(session=session, is_current=True).values_list(
            "client_id", flat=True
        )
    )
    spans: dict[int, list[tuple[datetime, datetime]]] = {}
    for p in Presence.objects.filter(room=room):
        start = max(p.joined_at, session.starts_at - timedelta(minutes=15))
        end = min(p.left_at or session.ends_at, session.ends_at + timedelta(minutes=30))
        if end > start:
            spans.setdefault(p.user_id, []).append((start, end))
    outcome = {}
    for client in clients:
        if client.pk in recorded:
            continue
        status, joined, left = status_from_presence(
            session, merge_intervals(spans.get(client.user_id, []))
        )
        attendance_record(
            session=session,
            client=client,
            status=status,
            joined_at=joined,
            left_at=left,
            source=AttendanceSource.VIDEO,
            actor=None,
            now=now,
        )
        outcome[client.pk] = status
    return outcome


def room_close(room: Room, *, now: datetime | None = None) -> dict[int, str]:
    """After the session: attendance from presence (once), then destroy the Janus room (a
    Janus that cannot be reached forgets the room on restart anyway: rooms are not permanent)
    and forget the chat. Returns the statuses recorded."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Room.objects.select_for_update().get(pk=room.pk)
        outcome: dict[int, str] = {}
        if locked.attendance_done_at is None:
            Presence.objects.filter(room=locked, left_at__isnull=True).update(
                left_at=min(now, locked.session.ends_at)
            )
            outcome = attendance_from_presence(locked, now=now)
            locked.attendance_done_at = now
        if locked.destroyed_at is None:
            if locked.janus_created_at is not None:
                try:
                    janus.room_destroy(
                        janus.server_for_url(locked.server_url),
                        room=locked.number,
                        secret=locked.secret,
                    )
                except (janus.JanusError, janus.JanusUnavailable):
                    log.warning("room %s: Janus did not confirm the destroy", locked.pk)
            locked.destroyed_at = now
        locked.save(update_fields=["attendance_done_at", "destroyed_at"])
        Participant.objects.filter(session_id=locked.session_id).exclude(
            state=ParticipantState.REMOVED
        ).update(state=ParticipantState.LEFT, hand_raised=False)
        audit_record(
            actor=None, action=Action.UPDATE, object_type="telehealth.room_close", object_id=room.pk
        )
    chat_forget(room.session_id)
    return outcome


def rooms_due_for_close(now: datetime) -> list[Room]:
    return list(
        Room.objects.filter(
            destroyed_at__isnull=True, session__ends_at__lte=now - CLOSE_AFTER_END
        ).select_related("session")
    )
