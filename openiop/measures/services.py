"""Measures write workflows: each one transaction with its audit event.

A response is checked completely before anything is written (no partial response is ever
scored), then scored and saved with its alert, if a risk rule fired, in the same transaction.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.measures import instruments
from openiop.measures.instruments import Loaded
from openiop.measures.models import (
    Draft,
    Instrument,
    InstrumentVersion,
    Response,
    ResponseSource,
    ScheduleRule,
)
from openiop.measures.schema import definition_parse
from openiop.measures.scoring import (
    SEVERITIES,
    AnswersInvalid,
    Result,
    asked_items,
    check_answers,
    coerce,
    score,
)
from openiop.programs.models import Client, Program, Track
from openiop.safety.models import Alert
from openiop.safety.services import alert_raise

# The same body from the same person within this window is a double tap, not a second
# administration (API.md): the first response is the answer.
DOUBLE_TAP_SECONDS = 10


class UnknownInstrument(AnswersInvalid):
    def __init__(self, code: str) -> None:
        super().__init__([("", f"Unknown instrument {code!r}.")])


@dataclass(frozen=True)
class Submitted:
    response: Response
    duplicate: bool  # a double tap: `response` is the first one, nothing new was written
    alert: Alert | None


def body_digest(code: str, answers: Any) -> str:
    body = json.dumps({"instrument": code, "answers": answers}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


@transaction.atomic
def response_submit(
    *,
    client: Client,
    actor: User,
    answers: Any,
    code: str = "",
    loaded: Loaded | None = None,
    source: str = ResponseSource.CLIENT,
) -> Submitted:
    """Check, score and save one administration, with its alert, in one transaction.

    Raises AnswersInvalid (UnknownInstrument for a code the client's program does not have)
    before writing anything. Queries: the instrument, the client row lock, the double-tap
    look-up, the draft look-up (and its delete when there is one), the insert and the audit
    event (plus the alert's when one
    fires), whatever the instrument.
    """
    if loaded is None:
        loaded = instruments.current(code=code, program=client.program_id)
        if loaded is None:
            raise UnknownInstrument(code)
    checked = check_answers(loaded.definition, answers)
    digest = body_digest(loaded.code, answers)
    now = timezone.now()
    # One submission per client at a time, so two taps cannot both pass the look-up below.
    list(Client.objects.select_for_update().filter(pk=client.pk).values_list("pk"))
    earlier = Response.objects.filter(
        client=client,
        body_digest=digest,
        submitted_by=actor,
        submitted_at__gte=now - timedelta(seconds=DOUBLE_TAP_SECONDS),
    ).first()
    if earlier is not None:
        return Submitted(response=earlier, duplicate=True, alert=None)
    result = score(loaded.definition, checked)
    draft = (
        Draft.objects.filter(client=client, instrument=loaded.instrument)
        .select_related("alert")
        .only("pk", "alert__id", "alert__severity")
        .first()
    )
    draft_alert = draft.alert if draft is not None else None
    response = Response.objects.create(
        client=client,
        instrument=loaded.instrument,
        version=loaded.version,
        answers=checked,
        total=result.total,
        band=result.band,
        flags=result.flags,
        risk=result.severity,
        makes_due=result.makes_due,
        submitted_at=now,
        submitted_by=actor,
        source=source,
        body_digest=digest,
    )
    alert = None
    if result.risks and draft_alert is not None and not _more_severe(result, draft_alert):
        # Already raised while the answers sat unfinished: that alert is this response's.
        alert = draft_alert
        response.alert_id = alert.pk
        response.save(update_fields=["alert_id"])
    elif result.risks:
        # Exactly one alert however many rules fired: the highest severity, every reason.
        alert = alert_raise(
            client=client,
            severity=result.severity,
            source=result.risks[0].source,
            reason=result.alert_reason,
            source_ref=f"measures.response:{response.pk}",
            raised_by=actor,
        )
        response.alert_id = alert.pk
        response.save(update_fields=["alert_id"])
    if draft is not None:
        Draft.objects.filter(pk=draft.pk).delete()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="measures.response",
        object_id=response.pk,
        client_id=client.pk,
    )
    return Submitted(response=response, duplicate=False, alert=alert)


def _more_severe(result: Result, alert: Alert) -> bool:
    return SEVERITIES.index(result.severity) > SEVERITIES.index(alert.severity)


# A questionnaire left unfinished this long with a risky answer in it alerts the care team.
ABANDONED_AFTER = timedelta(minutes=30)
UNFINISHED = " (answered in a questionnaire the client has not finished)"
SWEEP_BATCH = 500  # drafts per run; the clock runs it again a minute later


def risky_drafts_alert(*, now: datetime | None = None) -> int:
    """The backstop for a risky answer the client gave and then left: a draft untouched for
    30 minutes whose answers so far fire a risk rule raises one alert (like a submitted
    response would), once per draft. Idempotent; the clock runs it every minute. Returns
    how many alerts it raised."""
    now = now or timezone.now()
    raised = 0
    stale = Draft.objects.filter(
        risky=True, alert__isnull=True, updated_at__lte=now - ABANDONED_AFTER
    )
    for draft in stale.select_related("version").order_by("pk")[:SWEEP_BATCH]:
        result = score(instruments.parsed(draft.version), draft.answers)  # severity, reasons
        with transaction.atomic():
            locked = Draft.objects.select_for_update().filter(pk=draft.pk, alert__isnull=True)
            current = locked.select_related("client").first()
            if current is None:  # submitted, or another sweep got there first
                continue
            alert = alert_raise(
                client=current.client,
                severity=result.severity,
                source=result.risks[0].source,
                reason=result.alert_reason + UNFINISHED,
                source_ref=f"measures.draft:{current.pk}",
                raised_by=None,
            )
            current.alert = alert
            current.save(update_fields=["alert"])
            raised += 1
    return raised


def draft_answers(draft: Draft | None, loaded: Loaded) -> dict[str, Any]:
    """The draft's answers if it was begun on the current version (else start again)."""
    if draft is None or draft.version_id != loaded.version.pk:
        return {}
    return dict(draft.answers)


def _prune(loaded: Loaded, answers: dict[str, Any]) -> dict[str, Any]:
    """Drop answers to items the skip logic no longer asks (a "yes" changed to "no")."""
    while True:
        asked = {item.id for item in asked_items(loaded.definition, answers)}
        kept = {key: value for key, value in answers.items() if key in asked}
        if kept == answers:
            return kept
        answers = kept


@transaction.atomic
def draft_save(
    *, client: Client, loaded: Loaded, item_id: str, raw: Any, actor: User
) -> dict[str, Any]:
    """Keep one answer in the client's draft (resumable, never scored); returns the answers.

    AnswersInvalid for an item that is not asked now or a value out of range."""
    draft = (
        Draft.objects.select_for_update()
        .filter(client=client, instrument=loaded.instrument)
        .first()
    )
    answers = draft_answers(draft, loaded)
    item = loaded.definition.item(item_id)
    if item is None or item not in asked_items(loaded.definition, answers):
        raise AnswersInvalid([(item_id, "is not a question you were asked.")])
    blank = raw is None or (isinstance(raw, str) and not raw.strip())
    if blank and not item.optional:
        raise AnswersInvalid([(item_id, "choose an answer to go on.")])
    if blank:
        answers.pop(item_id, None)
    else:
        try:
            answers[item_id] = coerce(item, raw)
        except ValueError as bad:
            raise AnswersInvalid([(item_id, str(bad))]) from None
    answers = _prune(loaded, answers)
    if draft is None:
        draft = Draft(client=client, instrument=loaded.instrument)
    draft.version = loaded.version
    draft.answers = answers
    draft.risky = bool(score(loaded.definition, answers).risks)
    draft.updated_at = timezone.now()
    draft.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        object_type="measures.draft",
        object_id=draft.pk,
        client_id=client.pk,
    )
    return answers


@transaction.atomic
def schedule_set(
    *, track: Track, rules: dict[int, tuple[int, bool]], actor: User | None
) -> list[ScheduleRule]:
    """Replace a track's schedule: {instrument id: (every_days, at_intake)} for every
    instrument the program uses (every_days 0 and at_intake False: not scheduled)."""
    saved = []
    for instrument_id, (every_days, at_intake) in rules.items():
        if not 0 <= every_days <= 365:
            raise ValidationError({"every_days": "Use 0 (not periodic) to 365 days."})
        rule, _ = ScheduleRule.objects.update_or_create(
            track=track,
            instrument_id=instrument_id,
            defaults={"every_days": every_days, "at_intake": at_intake},
        )
        saved.append(rule)
    audit_record(
        actor=actor, action=Action.UPDATE, object_type="measures.schedule", object_id=track.pk
    )
    return saved


@transaction.atomic
def instrument_publish(*, program: Program, data: Any, actor: User | None) -> InstrumentVersion:
    """Publish a program's own instrument, or a new version of it, from a JSON definition.

    ValidationError naming each problem; nothing is written unless the whole definition is
    valid. Codes of built-in or other programs' instruments are refused."""
    try:
        definition = definition_parse(data)
    except ValueError as bad:
        raise ValidationError(str(bad)) from None
    instrument = Instrument.objects.select_for_update().filter(code=definition.code).first()
    if instrument is not None and instrument.program_id != program.pk:
        raise ValidationError(f"The code {definition.code!r} is taken; choose another.")
    if instrument is None:
        instrument = Instrument.objects.create(
            code=definition.code, name=definition.name, program=program
        )
    elif instrument.name != definition.name:
        instrument.name = definition.name
        instrument.save(update_fields=["name"])
    latest = instrument.versions.order_by("-version").first()  # type: ignore[attr-defined]
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        version=latest.version + 1 if latest else 1,
        definition=definition.model_dump(mode="json", exclude_none=True),
        published_by=actor,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="measures.instrument_version",
        object_id=version.pk,
    )
    return version
