"""Measures pages: the client's questionnaires (/me/measures/), a client's results for staff
(/clients/<id>/measures/), and the director's outcomes, schedules and instruments."""

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record_atomic
from openiop.measures import charts, instruments, selectors, services
from openiop.measures.forms import DefinitionForm, QuestionForm, StaffEntryForm
from openiop.measures.instruments import Loaded
from openiop.measures.models import Draft, Instrument, Response, ResponseSource
from openiop.measures.scoring import (
    AnswersInvalid,
    answer_label,
    answers_asked,
    asked_items,
    risky_answer,
)
from openiop.programs.models import Client, Track
from openiop.programs.selectors import get_client_for_user, get_program_for_director

THANKS = "Thank you. Your care team will look at your answers with you."
RISK_NOTE = (
    "Thank you for telling us. Your care team has been let know and will reach out. "
    "If you might act on these thoughts, or you are in danger now, use the numbers below."
)


# The client's own pages -------------------------------------------------------------------


def _own(request: HttpRequest, instrument_id: int) -> tuple[User, Client, Loaded]:
    user: User = request.user  # type: ignore[assignment]
    client = selectors.own_client(user)
    loaded = instruments.current(instrument_id=instrument_id, program=client.program_id)
    if loaded is None:
        raise Http404("No such questionnaire.")
    return user, client, loaded


def _draft(client: Client, loaded: Loaded) -> dict:
    draft = Draft.objects.filter(client=client, instrument=loaded.instrument).first()
    return services.draft_answers(draft, loaded)


def _audit_draft_read(request: HttpRequest, user: User, client: Client, answers: dict) -> None:
    """Showing the client their own saved answers is a read of their record, like /me/."""
    if request.method == "GET" and answers:
        audit_record_atomic(
            actor=user,
            action=Action.READ,
            object_type="measures.draft",
            object_id="",
            client_id=client.pk,
        )


@login_required
def my_measures(request: HttpRequest) -> HttpResponse:
    """What is due, and every questionnaire the client may fill in now (the check-in)."""
    client = selectors.own_client(request.user)  # type: ignore[arg-type]
    due = selectors.due_for_clients([client.pk]).get(client.pk, [])
    available = instruments.available(client.program_id)
    context = {
        "client": client,
        "due": due,
        "checkins": [x for x in available if x.code == "daily_checkin"],
    }
    return render(request, "measures/my_measures.html", context)


@login_required
def start(request: HttpRequest, instrument_id: int) -> HttpResponse:
    """Resume where the client left off: the first question not answered yet."""
    _user, client, loaded = _own(request, instrument_id)
    answers = _draft(client, loaded)
    asked = asked_items(loaded.definition, answers)
    for number, item in enumerate(asked, start=1):
        if item.id not in answers and not item.optional:
            return redirect("measures:question", instrument_id=instrument_id, number=number)
    return redirect("measures:review", instrument_id=instrument_id)


@login_required
def question(request: HttpRequest, instrument_id: int, number: int) -> HttpResponse:
    """One question per screen; Next keeps the answer in the draft (never scored)."""
    user, client, loaded = _own(request, instrument_id)
    answers = _draft(client, loaded)
    asked = asked_items(loaded.definition, answers)
    # No skipping ahead past a question that still needs an answer.
    first_open = next(
        (n for n, i in enumerate(asked, start=1) if i.id not in answers and not i.optional),
        len(asked),
    )
    if not 1 <= number <= min(len(asked), first_open):
        return redirect("measures:start", instrument_id=instrument_id)
    item = asked[number - 1]
    _audit_draft_read(request, user, client, answers)
    form = QuestionForm(request.POST or None, item=item, initial_value=answers.get(item.id))
    if request.method == "POST" and form.is_valid():
        try:
            answers = services.draft_save(
                client=client,
                loaded=loaded,
                item_id=item.id,
                raw=form.cleaned_data["answer"],
                actor=user,
            )
        except AnswersInvalid as bad:
            form.add_error("answer", bad.problems[0][1])
        else:
            asked = asked_items(loaded.definition, answers)
            if number < len(asked):
                return redirect("measures:question", instrument_id=instrument_id, number=number + 1)
            return redirect("measures:review", instrument_id=instrument_id)
    context = {
        "loaded": loaded,
        "definition": loaded.definition,
        "form": form,
        "item": item,
        "number": number,
        "count": len(asked),
        "risky": risky_answer(loaded.definition, answers),
        "client": client,
    }
    return render(request, "measures/question.html", context, status=400 if form.errors else 200)


@login_required
def review(request: HttpRequest, instrument_id: int) -> HttpResponse:
    """The answers given, each with a Change link; Submit scores them in one transaction."""
    user, client, loaded = _own(request, instrument_id)
    answers = _draft(client, loaded)
    if request.method == "POST":
        if not answers:
            return _after_double_tap(request, client, loaded)
        try:
            submitted = services.response_submit(
                client=client, actor=user, loaded=loaded, answers=answers
            )
        except AnswersInvalid:
            messages.error(request, "A few questions still need an answer.")
            return redirect("measures:start", instrument_id=instrument_id)
        return _after_submit(request, submitted.response)
    _audit_draft_read(request, user, client, answers)
    asked = asked_items(loaded.definition, answers)
    rows = [
        (n, item, answer_label(item, answers.get(item.id))) for n, item in enumerate(asked, start=1)
    ]
    missing = [n for n, item, _ in rows if item.id not in answers and not item.optional]
    context = {
        "loaded": loaded,
        "definition": loaded.definition,
        "rows": rows,
        "missing": missing,
        "client": client,
    }
    return render(request, "measures/review.html", context)


def _after_submit(request: HttpRequest, response: Response) -> HttpResponse:
    if response.alert_id is not None:
        # Crisis resources at once, whatever the client does next.
        messages.warning(request, RISK_NOTE)
        return redirect(reverse("safety:help_now"))
    return redirect("measures:thanks")


def _after_double_tap(request: HttpRequest, client: Client, loaded: Loaded) -> HttpResponse:
    """Submit pressed twice: the draft is gone, the first response stands."""
    recent = Response.objects.filter(
        client=client,
        instrument=loaded.instrument,
        submitted_at__gte=timezone.now() - timedelta(minutes=1),
    ).first()
    if recent is None:
        return redirect("measures:start", instrument_id=loaded.instrument.pk)
    return _after_submit(request, recent)


@login_required
def thanks(request: HttpRequest) -> HttpResponse:
    client = selectors.own_client(request.user)  # type: ignore[arg-type]
    return render(request, "measures/thanks.html", {"client": client, "thanks": THANKS})


# Staff: one client's results --------------------------------------------------------------


def _digits(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise Http404("No such page.")
    return int(value)


@login_required
def client_measures(request: HttpRequest, client_id: int) -> HttpResponse:
    """Every instrument the client answered: latest, change from baseline, link to trend."""
    user: User = request.user  # type: ignore[assignment]
    client = selectors.client_for_trends(
        user, client_id, object_type="measures.results", object_id=client_id
    )
    series = selectors.client_series(client)
    due = selectors.due_for_clients([client.pk]).get(client.pk, [])
    context = {
        "client": client,
        "series": series,
        "due": due,
        "may_enter": selectors.may_answer_for(user, client),
    }
    return render(request, "measures/client_measures.html", context)


@login_required
def enter(request: HttpRequest, client_id: int) -> HttpResponse:
    """A clinician on the care team records the client's answers in session: choose the
    questionnaire (``?instrument=<code>``), then every question on one page. Scored, saved
    and risk-checked exactly like the client's own answers, marked as entered by staff."""
    user: User = request.user  # type: ignore[assignment]
    client = selectors.client_for_answering(user, client_id)  # 404, or 403 for a reader
    choices = instruments.available(client.program)
    loaded = next((x for x in choices if x.code == request.GET.get("instrument")), None)
    if loaded is None:
        audit_record_atomic(
            actor=user,
            action=Action.READ,
            object_type="measures.enter",
            object_id=client.pk,
            client_id=client.pk,
        )
        return render(request, "measures/enter.html", {"client": client, "choices": choices})
    form = StaffEntryForm(request.POST or None, items=loaded.definition.items)
    if request.method == "POST" and form.is_valid():
        try:
            submitted = services.response_submit(
                client=client,
                actor=user,
                loaded=loaded,
                answers=answers_asked(loaded.definition, form.raw_answers()),
                source=ResponseSource.CLINICIAN,
            )
        except AnswersInvalid as bad:
            for item_id, problem in bad.problems:
                form.add_error(item_id if item_id in form.fields else None, problem)
        else:
            response = submitted.response
            if response.alert_id is not None:
                messages.warning(
                    request,
                    f"Saved. These answers raised an alert for {client.first_name}'s care "
                    "team; the crisis panel is open below.",
                )
                return redirect("safety:crisis_panel", client_id=client.pk)
            score = f": {response.total}" if response.total is not None else ""
            label = selectors.band_label(loaded.definition, response.band)
            band = f" ({label})" if label else ""
            messages.success(request, f"Saved {loaded.definition.name}{score}{band}.")
            return redirect("measures:client", client_id=client.pk)
    context = {"client": client, "loaded": loaded, "definition": loaded.definition, "form": form}
    return render(request, "measures/enter.html", context, status=400 if form.errors else 200)


@login_required
def trend(request: HttpRequest, client_id: int, instrument_id: str) -> HttpResponse:
    """One instrument over time: SVG with band shading, the same numbers as a table, change."""
    user: User = request.user  # type: ignore[assignment]
    get_client_for_user(user, client_id)  # 404 first, before the id is looked at
    pk = _digits(instrument_id)
    client = selectors.client_for_trends(
        user, client_id, object_type="measures.trend", object_id=pk
    )
    found = selectors.client_series(client, pk)
    if not found:
        raise Http404("No such questionnaire.")
    series = found[0]
    svg = charts.trend_svg(series.loaded.definition, series.scored, client.time_zone)
    context = {
        "client": client,
        "series": series,
        "definition": series.loaded.definition,
        "svg": svg,
    }
    return render(request, "measures/trend.html", context)


@login_required
def response_detail(request: HttpRequest, client_id: int, response_id: str) -> HttpResponse:
    """Item-level answers of one response, on demand (an audited read of its own)."""
    user: User = request.user  # type: ignore[assignment]
    get_client_for_user(user, client_id)  # 404 first, before the id is looked at
    response_pk = _digits(response_id)
    client = selectors.client_for_trends(
        user, client_id, object_type="measures.response", object_id=response_pk
    )
    response = (
        Response.objects.filter(client=client, pk=response_pk)
        .select_related("version", "instrument")
        .first()
    )
    if response is None:
        raise Http404("No such response.")
    definition = instruments.parsed(response.version)
    rows = [
        (item, answer_label(item, response.answers.get(item.id)))
        for item in asked_items(definition, response.answers)
    ]
    context = {"client": client, "response": response, "definition": definition, "rows": rows}
    return render(request, "measures/response_detail.html", context)


# Director ---------------------------------------------------------------------------------


@login_required
def outcomes(request: HttpRequest, slug: str) -> HttpResponse:
    """Baseline against latest per track and instrument; ?format=csv exports (audited)."""
    user: User = request.user  # type: ignore[assignment]
    program = get_program_for_director(user, slug)
    rows = selectors.program_outcomes(program)
    if request.GET.get("format") == "csv":
        audit_record_atomic(
            actor=user,
            action=Action.EXPORT,
            object_type="measures.outcomes",
            object_id=program.pk,
        )
        return _outcomes_csv(program.slug, rows)
    return render(request, "measures/outcomes.html", {"program": program, "rows": rows})


CSV_COLUMNS = [
    "track",
    "instrument",
    "clients",
    "baseline_mean",
    "latest_mean",
    "improved_pct",
    "responded_pct",
    "remitted_pct",
    "worsened_pct",
    "due",
    "completed",
    "completion_pct",
]


def _outcomes_csv(slug: str, rows: list[selectors.OutcomeRow]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.track,
                r.instrument,
                r.clients,
                r.baseline_mean,
                r.latest_mean,
                r.improved_pct,
                r.responded_pct,
                r.remitted_pct,
                r.worsened_pct,
                r.expected,
                r.completed,
                r.completion,
            ]
        )
    return response


@login_required
def schedules(request: HttpRequest, slug: str) -> HttpResponse:
    """Which instruments each track asks for, and how often; POST saves one track's."""
    user: User = request.user  # type: ignore[assignment]
    program = get_program_for_director(user, slug)
    available = instruments.available(program)
    tracks = list(Track.objects.filter(program=program).order_by("-is_active", "name"))
    errors: dict[int, str] = {}
    if request.method == "POST":
        track = next((t for t in tracks if str(t.pk) == request.POST.get("track")), None)
        if track is None:
            raise Http404("No such track.")
        rules, problem = _posted_rules(request, track, available)
        if problem:
            errors[track.pk] = problem
        else:
            services.schedule_set(track=track, rules=rules, actor=user)
            messages.success(request, f"Saved the schedule of {track.name}.")
            return redirect(request.path)
    current = selectors.track_schedules(tracks, {program.pk: available})
    table = [
        (t, [(x, current[t.pk][x.instrument.pk]) for x in available], errors.get(t.pk, ""))
        for t in tracks
    ]
    context = {"program": program, "table": table}
    return render(request, "measures/schedules.html", context, status=400 if errors else 200)


def _posted_rules(
    request: HttpRequest, track: Track, available: list[Loaded]
) -> tuple[dict[int, tuple[int, bool]], str]:
    rules = {}
    for loaded in available:
        raw = request.POST.get(f"every-{loaded.instrument.pk}", "0").strip() or "0"
        if not (raw.isascii() and raw.isdigit()) or int(raw) > 365:
            return {}, f"{loaded.definition.name}: days must be a whole number from 0 to 365."
        rules[loaded.instrument.pk] = (
            int(raw),
            request.POST.get(f"intake-{loaded.instrument.pk}") == "on",
        )
    return rules, ""


@login_required
def program_instruments(request: HttpRequest, slug: str) -> HttpResponse:
    """The program's own instruments; paste a JSON definition to publish one (or a version)."""
    user: User = request.user  # type: ignore[assignment]
    program = get_program_for_director(user, slug)
    form = DefinitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.instrument_publish(
                program=program, data=form.cleaned_data["definition"], actor=user
            )
        except ValidationError as bad:
            form.add_error("definition", bad)
        else:
            messages.success(
                request, f"Published {version.instrument.name}, version {version.version}."
            )
            return redirect(request.path)
    own = Instrument.objects.filter(program=program).prefetch_related("versions")
    builtin = instruments.available(None)
    context = {"program": program, "form": form, "own": own, "builtin": builtin}
    return render(request, "measures/instruments.html", context, status=400 if form.errors else 200)
