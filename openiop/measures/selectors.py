"""Reads for measures: who may see or answer what, what is due, trends and outcomes.

Every list here costs a fixed number of queries, whatever the number of clients or
responses (the caseload badges, the home panel and the outcomes page rely on it).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record_atomic
from openiop.measures import instruments
from openiop.measures.instruments import Loaded
from openiop.measures.models import Response, ScheduleRule
from openiop.measures.schema import Change, Definition
from openiop.programs.models import CareTeamMember, Client, Enrollment, Phase, Program, Track
from openiop.programs.selectors import clients_visible_to, get_client_for_user

# Phases in which measures are asked for: from intake to step-down.
MEASURED_PHASES = (Phase.INTAKE, Phase.ACTIVE, Phase.STEP_DOWN)
STAFF_VIEWERS = (Role.CLINICIAN, Role.FACILITATOR, Role.DIRECTOR)
NOT_ALLOWED_ADMINISTER = (
    "Only the client and the clinicians on the client's care team can record answers."
)


# Who --------------------------------------------------------------------------------------


def client_for_answering(user: User, client_id: int) -> Client:
    """The client whose answers `user` records: the client themself, or a clinician on their
    care team (in session). Http404 for a client the user cannot see; PermissionDenied (403
    in the API) for one they see but may not answer for (a director, a facilitator, a
    break-glass reader)."""
    client = get_client_for_user(user, client_id)
    if user.role == Role.CLIENT or may_answer_for(user, client):
        return client
    raise PermissionDenied(NOT_ALLOWED_ADMINISTER)


def may_answer_for(user: User, client: Client) -> bool:
    """Whether `user` (who can see `client`) may record the client's answers in session."""
    return (
        user.role == Role.CLINICIAN
        and CareTeamMember.objects.filter(client=client, user=user).exists()
    )


def own_client(user: User) -> Client:
    """The signed-in client's own record (the /me/ pages); Http404 for anyone else."""
    if user.role != Role.CLIENT:
        raise Http404("No such page.")
    client = clients_visible_to(user).select_related("program").first()
    if client is None:
        raise Http404("No such page.")
    return client


def client_for_trends(user: User, client_id: int, *, object_type: str, object_id: object) -> Client:
    """A client's measures for staff who may see the record (audited read); Http404 for
    everyone else, clients included (their own pages never show scores)."""
    if user.role not in STAFF_VIEWERS:
        raise Http404("No such client.")
    client = get_client_for_user(user, client_id)
    audit_record_atomic(
        actor=user,
        action=Action.READ,
        object_type=object_type,
        object_id=object_id,
        client_id=client.pk,
    )
    return client


# Schedules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    every_days: int
    at_intake: bool


def default_rule(loaded: Loaded, track: Track | None) -> Rule:
    schedule = loaded.definition.default_schedule
    if schedule.trauma_tracks_only and not (track and track.trauma_focused):
        return Rule(0, False)
    return Rule(schedule.every_days, schedule.at_intake)


def track_schedules(
    tracks: list[Track], available: dict[int, list[Loaded]]
) -> dict[int, dict[int, Rule]]:
    """{track id: {instrument id: Rule}} in one query: a track's saved rules, else the
    definitions' defaults (PCL-5 only on trauma-focused tracks)."""
    saved: dict[int, dict[int, Rule]] = defaultdict(dict)
    for row in ScheduleRule.objects.filter(track__in=[t.pk for t in tracks]):
        saved[row.track_id][row.instrument_id] = Rule(row.every_days, row.at_intake)
    schedules = {}
    for track in tracks:
        rules = {}
        for loaded in available.get(track.program_id, []):
            chosen = saved[track.pk].get(loaded.instrument.pk) if saved[track.pk] else None
            rules[loaded.instrument.pk] = chosen or (
                Rule(0, False) if saved[track.pk] else default_rule(loaded, track)
            )
        schedules[track.pk] = rules
    return schedules


# Due and overdue --------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One instrument a client is asked to complete now."""

    instrument_id: int
    code: str
    name: str  # for staff
    client_title: str  # for the client: names no condition
    due_on: date  # in the client's zone
    overdue: bool


def _grace_days(every_days: int) -> int:
    """Days after the due day before it counts as overdue (a week's gets two)."""
    return max(1, every_days // 3)


def _local(moment: datetime, zone: ZoneInfo) -> date:
    return timezone.localdate(moment, zone)


def due_for_clients(client_ids: list[int], now: datetime | None = None) -> dict[int, list[Due]]:
    """What each client is asked to complete now, with overdue marked, in six queries at
    most: enrollments, instruments, schedules, last responses, triggers (and a first-use
    load of the built-in instruments). Days are counted in each client's own zone."""
    now = now or timezone.now()
    enrollments = list(
        Enrollment.objects.filter(client_id__in=client_ids, phase__in=MEASURED_PHASES)
        .select_related("client", "track")
        .only(
            "client_id",
            "program_id",
            "track",
            "referred_at",
            "client__time_zone",
            "client__program_id",
        )
    )
    if not enrollments:
        return {client_id: [] for client_id in client_ids}
    available = instruments.available_for_programs({e.program_id for e in enrollments})
    tracks = {e.track_id: e.track for e in enrollments if e.track is not None}
    schedules = track_schedules(list(tracks.values()), available)
    ids = [e.client_id for e in enrollments]
    last = {
        (row["client_id"], row["instrument_id"]): row["last"]
        for row in Response.objects.filter(client_id__in=ids)
        .order_by()
        .values("client_id", "instrument_id")
        .annotate(last=Max("submitted_at"))
    }
    triggers = {
        (row["client_id"], row["makes_due"]): row["last"]
        for row in Response.objects.filter(client_id__in=ids)
        .exclude(makes_due="")
        .order_by()
        .values("client_id", "makes_due")
        .annotate(last=Max("submitted_at"))
    }
    due: dict[int, list[Due]] = {client_id: [] for client_id in client_ids}
    for enrollment in enrollments:
        zone = ZoneInfo(enrollment.client.time_zone)
        today = _local(now, zone)
        for loaded in available.get(enrollment.program_id, []):
            if enrollment.track_id is not None:
                rule = schedules[enrollment.track_id].get(loaded.instrument.pk)
            else:
                rule = default_rule(loaded, None)
            item = _due_item(
                loaded,
                rule or Rule(0, False),
                last=last.get((enrollment.client_id, loaded.instrument.pk)),
                trigger=triggers.get((enrollment.client_id, loaded.code)),
                start=enrollment.referred_at,
                zone=zone,
                today=today,
            )
            if item is not None:
                due[enrollment.client_id].append(item)
    return due


def _due_item(
    loaded: Loaded,
    rule: Rule,
    *,
    last: datetime | None,
    trigger: datetime | None,
    start: datetime,
    zone: ZoneInfo,
    today: date,
) -> Due | None:
    if trigger is not None and (last is None or last < trigger):
        due_on, grace = _local(trigger, zone), 1  # asked for by an answer: at once
    elif rule.every_days > 0:
        due_on = _local(last or start, zone)
        if last is not None:
            due_on += timedelta(days=rule.every_days)
        grace = _grace_days(rule.every_days)
    elif rule.at_intake and (last is None or last < start):
        due_on, grace = _local(start, zone), 2
    else:
        return None
    if today < due_on:
        return None
    return Due(
        instrument_id=loaded.instrument.pk,
        code=loaded.code,
        name=loaded.definition.name,
        client_title=loaded.definition.client_title,
        due_on=due_on,
        overdue=today >= due_on + timedelta(days=grace),
    )


# Change -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeSummary:
    """Baseline against latest, with the definition's change rules applied."""

    baseline: int
    latest: int
    improved: bool  # reliable improvement: down by at least the reliable-change points
    worsened: bool  # reliable worsening
    responded: bool  # down by at least the response fraction of the baseline
    remitted: bool  # below the remission cut-off, having started at or above it

    @property
    def change(self) -> int:
        return self.latest - self.baseline


def change_summary(definition: Definition, baseline: int, latest: int) -> ChangeSummary:
    rules = definition.change
    drop = baseline - latest
    rc, fraction, below = rules.reliable_change, rules.response_drop, rules.remission_below
    return ChangeSummary(
        baseline=baseline,
        latest=latest,
        improved=rc is not None and drop >= rc,
        worsened=rc is not None and -drop >= rc,
        responded=fraction is not None and baseline > 0 and drop >= fraction * baseline,
        remitted=below is not None and baseline >= below and latest < below,
    )


# One client's results ---------------------------------------------------------------------


def band_label(definition: Definition, key: str) -> str:
    """A band or triage level's label, for staff only (never shown to the client)."""
    for band in definition.bands:
        if band.key == key:
            return band.label
    for level in definition.triage:
        if level.level == key:
            return level.label
    return "None" if key == "none" else key


@dataclass
class Series:
    """One instrument's responses for one client, oldest first."""

    loaded: Loaded
    responses: list[Response] = field(default_factory=list)

    @property
    def scored(self) -> list[Response]:
        return [r for r in self.responses if r.total is not None]

    @property
    def latest(self) -> Response | None:
        return self.responses[-1] if self.responses else None

    @property
    def latest_band(self) -> str:
        return band_label(self.loaded.definition, self.latest.band) if self.latest else ""

    def labelled(self) -> list[tuple[Response, str]]:
        """Each response with its band's label (staff pages), newest first."""
        definition = self.loaded.definition
        return [(r, band_label(definition, r.band)) for r in reversed(self.responses)]

    @property
    def change(self) -> ChangeSummary | None:
        scored = self.scored
        if len(scored) < 2:
            return None
        first, last = scored[0].total, scored[-1].total
        assert first is not None and last is not None
        return change_summary(self.loaded.definition, first, last)


def client_series(client: Client, instrument_id: int | None = None) -> list[Series]:
    """The client's responses per instrument (two queries), in the program's instrument order."""
    available = instruments.available(client.program_id)
    rows = Response.objects.filter(client=client).order_by("submitted_at", "pk")
    if instrument_id is not None:
        rows = rows.filter(instrument_id=instrument_id)
        available = [x for x in available if x.instrument.pk == instrument_id]
    series = {x.instrument.pk: Series(x) for x in available}
    for response in rows:
        if response.instrument_id in series:
            series[response.instrument_id].responses.append(response)
    return [s for s in series.values() if s.responses or instrument_id is not None]


# Program outcomes -------------------------------------------------------------------------


@dataclass
class OutcomeRow:
    """One instrument in one track: baseline against latest and completion."""

    track: str
    instrument: str
    clients: int = 0  # with a baseline and a later score
    baseline_sum: int = 0
    latest_sum: int = 0
    improved: int = 0
    responded: int = 0
    remitted: int = 0
    worsened: int = 0
    expected: int = 0
    completed: int = 0
    rules: Change = field(default_factory=Change)  # which percentages mean something here

    def pct(self, count: int, rule: float | None = 1) -> float | None:
        """Percent of the clients with two scores; None without them or without the rule."""
        if not self.clients or rule is None:
            return None
        return round(100 * count / self.clients, 1)

    @property
    def improved_pct(self) -> float | None:
        return self.pct(self.improved, self.rules.reliable_change)

    @property
    def responded_pct(self) -> float | None:
        return self.pct(self.responded, self.rules.response_drop)

    @property
    def remitted_pct(self) -> float | None:
        return self.pct(self.remitted, self.rules.remission_below)

    @property
    def worsened_pct(self) -> float | None:
        return self.pct(self.worsened, self.rules.reliable_change)

    @property
    def baseline_mean(self) -> float | None:
        return round(self.baseline_sum / self.clients, 1) if self.clients else None

    @property
    def latest_mean(self) -> float | None:
        return round(self.latest_sum / self.clients, 1) if self.clients else None

    @property
    def completion(self) -> float | None:
        return round(100 * self.completed / self.expected, 1) if self.expected else None


OUTCOME_PHASES = (Phase.INTAKE, Phase.ACTIVE, Phase.STEP_DOWN, Phase.DISCHARGED, Phase.AFTERCARE)


def program_outcomes(program: Program, now: datetime | None = None) -> list[OutcomeRow]:
    """Per track and scored instrument: clients' first against latest total (%% improved,
    responded, remitted, worsened) and completion (administrations done against those the
    schedule asked for since referral). Six queries, whatever the number of clients."""
    now = now or timezone.now()
    available = instruments.available(program)
    tracks = list(Track.objects.filter(program=program).order_by("name"))
    schedules = track_schedules(tracks, {program.pk: available})
    placed: dict[int, Enrollment] = {}
    for enrollment in (
        Enrollment.objects.filter(program=program, phase__in=OUTCOME_PHASES)
        .exclude(track=None)
        .only("client_id", "track_id", "referred_at", "discharged_at")
        .order_by("client_id", "-referred_at", "-pk")
    ):
        placed.setdefault(enrollment.client_id, enrollment)
    ordered = Response.objects.filter(
        client_id=OuterRef("client_id"), instrument_id=OuterRef("instrument_id")
    )
    groups = (
        Response.objects.filter(client__program=program)
        .order_by()
        .values("client_id", "instrument_id")
        .annotate(
            n=Count("pk"),
            first_total=Subquery(ordered.order_by("submitted_at", "pk").values("total")[:1]),
            last_total=Subquery(ordered.order_by("-submitted_at", "-pk").values("total")[:1]),
        )
    )
    rows: dict[tuple[int, int], OutcomeRow] = {}
    for track in tracks:
        for loaded in available:
            rows[track.pk, loaded.instrument.pk] = OutcomeRow(
                track.name, loaded.definition.name, rules=loaded.definition.change
            )
    counted: dict[tuple[int, int], int] = {}
    for group in groups:
        found = placed.get(group["client_id"])
        if found is None:
            continue
        key = (found.track_id, group["instrument_id"])
        row = rows.get(key)  # type: ignore[arg-type]
        if row is None:
            continue
        counted[group["client_id"], group["instrument_id"]] = group["n"]
        first, last = group["first_total"], group["last_total"]
        if group["n"] < 2 or first is None or last is None:
            continue
        loaded = next(x for x in available if x.instrument.pk == group["instrument_id"])
        summary = change_summary(loaded.definition, first, last)
        row.clients += 1
        row.baseline_sum += first
        row.latest_sum += last
        row.improved += summary.improved
        row.responded += summary.responded
        row.remitted += summary.remitted
        row.worsened += summary.worsened
    for client_id, enrollment in placed.items():
        end = enrollment.discharged_at or now
        days = max((end - enrollment.referred_at).days, 0)
        for instrument_id, rule in schedules[enrollment.track_id].items():  # type: ignore[index]
            if rule.every_days:
                expected = days // rule.every_days + 1
            elif rule.at_intake:
                expected = 1
            else:
                continue
            row = rows[enrollment.track_id, instrument_id]  # type: ignore[index]
            row.expected += expected
            row.completed += min(counted.get((client_id, instrument_id), 0), expected)
    scored = {x.instrument.pk for x in available if x.definition.scoring.method != "none"}
    return [
        row
        for (track_id, instrument_id), row in rows.items()
        if instrument_id in scored or row.expected
        if row.expected or row.clients
    ]


# Caseload badges --------------------------------------------------------------------------


def _overdue_badges(user: User, client_ids: list[int]) -> dict[int, list]:
    from openiop.lib.slots import Badge

    if user.role not in STAFF_VIEWERS or not client_ids:
        return {}
    badges: dict[int, list] = {}
    for client_id, items in due_for_clients(client_ids).items():
        late = [item.name for item in items if item.overdue]
        if late:
            badges[client_id] = [Badge(f"Overdue: {', '.join(late)}", 1)]
    return badges


overdue_badges = _overdue_badges


def q_visible_instruments(program_id: int) -> Q:
    return Q(program__isnull=True) | Q(program_id=program_id)


# Discharge summary ------------------------------------------------------------------------


def enrollment_measure_change(enrollment: Enrollment) -> str | None:
    """The discharge summary's measure change in words (registered with programs at start-up):
    each scored questionnaire's first and last total during the enrollment, with the change
    rules applied; None when none was completed. Dates in the program's zone."""
    end = enrollment.discharged_at or timezone.now()
    rows = Response.objects.filter(
        client_id=enrollment.client_id,
        submitted_at__gte=enrollment.referred_at,
        submitted_at__lte=end,
        total__isnull=False,
    ).order_by("submitted_at", "pk")
    available = instruments.available(enrollment.program_id)
    series = {x.instrument.pk: Series(x) for x in available if x.code != "daily_checkin"}
    for response in rows:
        if response.instrument_id in series:
            series[response.instrument_id].responses.append(response)
    zone = ZoneInfo(enrollment.program.time_zone)
    lines = [_change_line(s, zone) for s in series.values() if s.scored]
    return " ".join(lines) or None


def _change_line(series: Series, zone: ZoneInfo) -> str:
    name = series.loaded.definition.name
    first, last = series.scored[0], series.scored[-1]
    first_day = f"{_local(first.submitted_at, zone):%-d %b %Y}"
    if first.pk == last.pk:
        return f"{name}: {first.total} on {first_day} (one result)."
    change = series.change
    assert change is not None
    notes = [
        label
        for label, on in (
            ("reliable improvement", change.improved),
            ("reliable worsening", change.worsened),
            ("response", change.responded),
            ("remission", change.remitted),
        )
        if on
    ]
    sign = "+" if change.change > 0 else ""
    detail = f"change {sign}{change.change}" + (f": {', '.join(notes)}" if notes else "")
    return (
        f"{name}: {first.total} on {first_day} → {last.total} on "
        f"{_local(last.submitted_at, zone):%-d %b %Y} ({detail}; {len(series.scored)} results)."
    )
