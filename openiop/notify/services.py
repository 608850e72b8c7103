"""The gateway: queue a message (``notify_send``), withdraw it (``notify_withdraw``), and the
preferences, quiet hours and discreet wording that govern it.

Delivery itself (claiming a message, calling its channel, recording the attempt) lives in
``openiop.notify.delivery``; this module only writes rows in the caller's transaction and
queues the delivery task once that transaction commits.
"""

import re
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.lib.phones import normalize_phone, region_for_zone
from openiop.notify.models import Channel, Message, MessageState, Preference, StaffTask
from openiop.notify.wordlist import CLINICAL_WORDS

STAFF_CHANNELS = (Channel.EMAIL, Channel.INAPP)
CLIENT_ROLE = "client"
# Whose lock screens we protect: clients and the family members they invite.
PRIVATE_ROLES = frozenset({CLIENT_ROLE, "family"})
# A message may not be shifted or retried into a past this far behind "now".
_GRACE = timedelta(minutes=1)


class DiscreetWordingError(ValueError):
    """A message to a client in discreet mode names something clinical; nothing was written."""


# --- discreet wording -------------------------------------------------------------------------

_extra_terms: list[Callable[[], Iterable[str]]] = []


def clinical_terms_register(source: Callable[[], Iterable[str]]) -> None:
    """Add a source of clinical names (program or track names) the word list cannot know.

    Called once per message to a discreet client, so it should be one small query at most.
    """
    if source not in _extra_terms:
        _extra_terms.append(source)


def _term_pattern(term: str) -> str:
    stem = term.endswith("*")
    words = re.escape(term.rstrip("*")).replace(r"\ ", r"\s+")
    return rf"(?<![\w-]){words}{r'[\w-]*' if stem else ''}(?![\w-])"


@cache
def _base_pattern() -> re.Pattern[str]:
    return re.compile("|".join(_term_pattern(term) for term in CLINICAL_WORDS), re.IGNORECASE)


def clinical_words_in(text: str) -> list[str]:
    """Every word of the clinical list (and registered names) found in ``text``."""
    found = [match.group(0) for match in _base_pattern().finditer(text)]
    extra = [term for source in _extra_terms for term in source() if term and term.strip()]
    if extra:
        pattern = re.compile("|".join(_term_pattern(term) for term in extra), re.IGNORECASE)
        found += [match.group(0) for match in pattern.finditer(text)]
    return found


def check_discreet(*, subject: str, body: str) -> None:
    words = clinical_words_in(f"{subject}\n{body}")
    if words:
        raise DiscreetWordingError(
            "A discreet message may not name care, conditions or the program; found: "
            + ", ".join(sorted({word.lower() for word in words}))
        )


# --- preferences ------------------------------------------------------------------------------


def _user_zone(user: Any) -> str:
    return getattr(user, "time_zone", "") or "UTC"


def preference_for(user: Any) -> Preference:
    """The user's preference row, or an unsaved one with the defaults (one query)."""
    pref = Preference.objects.filter(user_id=user.pk).first()
    if pref is None:
        pref = Preference(user_id=user.pk, time_zone=_user_zone(user))
    return pref


@transaction.atomic
def preference_ensure(*, user: Any, time_zone: str = "", phone: str = "") -> Preference:
    """The user's preferences, made with the defaults (and the zone and phone the caller knows,
    such as the client's record) the first time; an existing row is left as the person set it."""
    pref, created = Preference.objects.get_or_create(
        user_id=user.pk, defaults={"time_zone": time_zone or _user_zone(user)}
    )
    if created and phone:
        try:
            pref.phone = normalize_phone(phone, region=region_for_zone(pref.time_zone))
        except ValidationError:
            pref.phone = ""
        pref.sms_on = bool(pref.phone)
        pref.save(update_fields=["phone", "sms_on"])
    return pref


def _check_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            {"time_zone": f"{value!r} is not a time zone such as America/Chicago."}
        )


@transaction.atomic
def preference_update(
    *,
    user: Any,
    actor: Any,
    email_on: bool,
    sms_on: bool,
    inapp_on: bool,
    phone: str,
    quiet_start: time | None,
    quiet_end: time | None,
    time_zone: str,
    language: str,
    discreet: bool,
) -> Preference:
    """Save what the person chose; an invalid phone or email is refused and nothing is written."""
    _check_time_zone(time_zone)
    phone = phone.strip()
    if phone:
        phone = normalize_phone(phone, region=region_for_zone(time_zone))
    if sms_on and not phone:
        raise ValidationError({"phone": "Enter a mobile number to get text messages."})
    if email_on:
        try:
            validate_email(getattr(user, "email", ""))
        except ValidationError:
            raise ValidationError(
                {"email_on": "Your account has no valid email address; ask your care team."}
            ) from None
    if not (email_on or sms_on or inapp_on):
        raise ValidationError("Keep at least one way to reach you, such as the in-app inbox.")
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError({"quiet_end": "Give both the start and the end of quiet hours."})
    pref = Preference.objects.select_for_update().filter(user_id=user.pk).first()
    if pref is None:
        pref = Preference(user_id=user.pk)
    if pref.phone != phone:
        # A new number starts clean: the old number's refusal or STOP does not carry over.
        pref.phone_invalid_at = None
        pref.sms_opted_out_at = None
    if sms_on and pref.sms_opted_out_at is not None:
        pref.sms_opted_out_at = None  # ticking the box again is an explicit opt-in
    pref.email_on, pref.sms_on, pref.inapp_on = email_on, sms_on, inapp_on
    pref.phone = phone
    pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    pref.time_zone, pref.language, pref.discreet = time_zone, language, discreet
    pref.updated_at = timezone.now()
    pref.save()
    audit_record(
        actor=actor, action=Action.UPDATE, object_type="notify_preference", object_id=pref.pk
    )
    return pref


# --- quiet hours ------------------------------------------------------------------------------


def _at(day: date, clock: time, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(zoneinfo.ZoneInfo("UTC"))


def quiet_window(pref: Preference, when: datetime) -> tuple[datetime, datetime] | None:
    """The quiet period (UTC start, end) that contains ``when``, or None if ``when`` is not
    in quiet hours. Quiet hours are [start, end) in the person's zone and may span midnight."""
    start, end = pref.quiet_start, pref.quiet_end
    if start is None or end is None or start == end:
        return None
    zone = zoneinfo.ZoneInfo(pref.time_zone or "UTC")
    local = when.astimezone(zone)
    day, clock = local.date(), local.time().replace(tzinfo=None)
    one = timedelta(days=1)
    if start < end:
        if start <= clock < end:
            return _at(day, start, zone), _at(day, end, zone)
        return None
    if clock >= start:
        return _at(day, start, zone), _at(day + one, end, zone)
    if clock < end:
        return _at(day - one, start, zone), _at(day, end, zone)
    return None


def quiet_hours_adjust(
    *, pref: Preference, when: datetime, deadline: datetime | None = None
) -> datetime | None:
    """``when`` moved out of the person's quiet hours: to the end of them if that is still
    before ``deadline`` (the event), else to just before they began if that is not past;
    None if neither fits (the reminder would be pointless)."""
    window = quiet_window(pref, when)
    if window is None:
        return when
    start, end = window
    if deadline is None or end < deadline:
        return end
    earlier = start - timedelta(minutes=1)
    if earlier >= timezone.now() - _GRACE:
        return earlier
    return None


# --- sending and withdrawing ------------------------------------------------------------------


def _enqueue_on_commit(message_ids: list[int], due_at: datetime) -> None:
    from openiop.notify.tasks import deliver_message

    def enqueue() -> None:
        task = deliver_message
        if task.get_backend().supports_defer and due_at > timezone.now():
            task = task.using(run_after=due_at)
        for message_id in message_ids:
            task.enqueue(message_id)

    transaction.on_commit(enqueue)


def _channels_for(pref: Preference, channels: Sequence[str] | None, staff: bool) -> list[str]:
    if channels is None:
        if staff:
            return [str(channel) for channel in STAFF_CHANNELS]
        chosen = pref.channels()
        if Channel.SMS in chosen and not pref.sms_usable:
            chosen.remove(Channel.SMS)
        return chosen or [str(Channel.INAPP)]
    unknown = set(channels) - set(Channel.values)
    if unknown:
        raise ValueError(f"Unknown channel(s): {', '.join(sorted(unknown))}")
    return list(dict.fromkeys(channels))


def notify_send(
    *,
    user: Any,
    key: str,
    subject: str,
    body: str,
    send_at: datetime | None = None,
    channels: Sequence[str] | None = None,
    link: str = "",
    staff: bool = False,
) -> list[Message]:
    """Queue one message per channel for ``user``; idempotent on (``key``, channel).

    Call it inside the transaction of the change that causes it: the rows commit or roll back
    with that change, and delivery is queued only once it commits. A second call with the same
    key returns the existing rows and queues nothing new (a withdrawn one is queued again, with
    the new text and time). ``channels=None`` means the person's chosen channels (staff: email
    and in-app). Messages to a client in discreet mode (the default) must not name anything
    clinical (``DiscreetWordingError``); their time moves out of the person's quiet hours,
    later; ``staff=True`` pages go at once, whatever the hour.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("notify_send must be called inside the caller's transaction")
    if not key or len(key) > 200:
        raise ValueError("A message needs an idempotency key of at most 200 characters.")
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise ValueError("A message needs a subject and a body.")
    pref = preference_for(user)
    if not staff and pref.discreet and getattr(user, "role", CLIENT_ROLE) in PRIVATE_ROLES:
        check_discreet(subject=subject, body=body)
    now = timezone.now()
    send_at = send_at or now
    due_at = send_at
    if not staff:
        due_at = quiet_hours_adjust(pref=pref, when=send_at) or send_at
    wanted = _channels_for(pref, channels, staff)
    existing = {m.channel: m for m in Message.objects.filter(key=key, channel__in=wanted)}
    fields = {
        "subject": subject[:200],
        "body": body,
        "link": link,
        "staff": staff,
        "send_at": send_at,
        "due_at": due_at,
    }
    queued: list[int] = []
    result: list[Message] = []
    for channel in wanted:
        message = existing.get(channel)
        if message is None:
            try:
                with transaction.atomic():
                    message = Message.objects.create(
                        user_id=user.pk, key=key, channel=channel, **fields
                    )
                queued.append(message.pk)
            except IntegrityError:  # another transaction queued it a moment ago
                message = Message.objects.get(key=key, channel=channel)
        elif message.state == MessageState.CANCELLED and message.user_id == user.pk:
            revived = Message.objects.filter(pk=message.pk, state=MessageState.CANCELLED).update(
                state=MessageState.PENDING, error="", **fields
            )
            message.refresh_from_db()
            if revived:
                queued.append(message.pk)
        result.append(message)
    if queued:
        _enqueue_on_commit(queued, due_at)
    return result


def notify_withdraw(*, key_prefix: str) -> int:
    """Withdraw every message not yet sent whose key starts with ``key_prefix``; returns how
    many. One already being handed to its channel can no longer be stopped."""
    if not key_prefix:
        raise ValueError("Withdrawing needs a key prefix.")
    return Message.objects.filter(key__startswith=key_prefix, state=MessageState.PENDING).update(
        state=MessageState.CANCELLED, error="withdrawn"
    )


# --- in-app inbox -----------------------------------------------------------------------------


def inbox_mark_read(*, user: Any, message_id: int | None = None) -> int:
    """Mark one in-app message (or, with no id, all of them) read; returns how many."""
    messages = Message.objects.filter(
        user_id=user.pk, channel=Channel.INAPP, state=MessageState.SENT, read_at__isnull=True
    )
    if message_id is not None:
        messages = messages.filter(pk=message_id)
    return messages.update(read_at=timezone.now())


# --- staff tasks ------------------------------------------------------------------------------


def staff_task_add(
    *,
    user: Any,
    key: str,
    title: str,
    due_at: datetime,
    link: str = "",
    client_id: int | None = None,
) -> StaffTask:
    """A to-do for a member of staff; idempotent on ``key``. Call inside your transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("staff_task_add must be called inside the caller's transaction")
    try:
        with transaction.atomic():
            return StaffTask.objects.create(
                user_id=user.pk,
                key=key,
                title=title[:200],
                due_at=due_at,
                link=link,
                client_id=client_id,
            )
    except IntegrityError:
        return StaffTask.objects.get(key=key)


@transaction.atomic
def staff_task_done(*, task: StaffTask, actor: Any) -> StaffTask:
    if task.done_at is None:
        task.done_at = timezone.now()
        task.done_by_id = actor.pk
        task.save(update_fields=["done_at", "done_by"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            object_type="staff_task",
            object_id=task.pk,
            client_id=task.client_id,
        )
    return task


def staff_task_withdraw(*, key_prefix: str) -> int:
    """Remove open tasks whose key starts with ``key_prefix`` (the reason went away)."""
    return StaffTask.objects.filter(key__startswith=key_prefix, done_at__isnull=True).delete()[0]


# --- replies to texts -------------------------------------------------------------------------


@transaction.atomic
def sms_reply_receive(*, phone: str, body: str, at: datetime) -> str | None:
    """Honour an opt-out (STOP...) or opt-in (START...) reply from ``phone``; returns which."""
    from openiop.notify.channels.sms import keyword

    word = keyword(body)
    if word is None or not phone:
        return None
    prefs = Preference.objects.filter(phone=phone)
    if word == "stop":
        prefs.update(sms_opted_out_at=at, updated_at=at)
        # Texts already queued for this number are withdrawn, not sent after a STOP.
        Message.objects.filter(
            user_id__in=prefs.values("user_id"), channel=Channel.SMS, state=MessageState.PENDING
        ).update(state=MessageState.CANCELLED, error="opted out (STOP)")
    else:
        prefs.update(sms_opted_out_at=None, updated_at=at)
    for pk in prefs.values_list("pk", flat=True):
        audit_record(
            actor=None,
            action=Action.UPDATE,
            object_type="notify_preference",
            object_id=pk,
            reason=f"sms {word}",
        )
    return word
