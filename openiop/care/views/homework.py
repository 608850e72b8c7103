"""Staff pages for homework: assign to a client, read and comment on what they handed in,
and the program's library."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openiop.accounts.models import Role, User
from openiop.care import selectors as sel
from openiop.care.forms import AssignForm, ExerciseForm, ReviewForm, answer_rows
from openiop.care.library import fields_as_text, library_for
from openiop.care.models import Exercise
from openiop.care.services import (
    CareRefused,
    exercise_add,
    exercise_retire,
    homework_assign,
    homework_review,
    homework_withdraw,
)
from openiop.care.views.plan import query_id, refused
from openiop.programs.models import Program, ProgramStaff


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def assign(request: HttpRequest, client_id: int) -> HttpResponse:
    """Give the client an exercise from the program's library (their clinicians only)."""
    user = _user(request)
    client = sel.client_for_writer(user, client_id)
    form = AssignForm(
        request.POST or None,
        library=library_for(client.program),
        goals=sel.goals_in_force(client),
        initial={"due_on": sel.today_in(client.time_zone)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = homework_assign(
                client=client,
                actor=user,
                exercise=form.exercise_def(),
                due_on=data["due_on"],
                repeat=data["repeat"],
                until_on=data["until_on"],
                goal=form.goal_obj(),
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = assignment.occurrences.count()
            messages.success(
                request,
                f"Assigned “{assignment.title}”" + (f" ({count} times)." if count > 1 else "."),
            )
            return redirect("care:plan", client_id=client.pk)
    context = {"client": client, "form": form}
    return render(request, "care/assign.html", context, status=400 if form.errors else 200)


@login_required
def homework_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    """What the client wrote (``?item=<occurrence id>``), and the clinician's comment form."""
    user = _user(request)
    client = sel.client_for_staff(user, client_id)
    occurrence = sel.occurrence_for_staff(user, client, query_id(request.GET.get("item")))
    may_write = sel.may_write_care(user, client)
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        initial={"comment": occurrence.review_comment},
    )
    if request.method == "POST":
        if not may_write:
            raise Http404
        if form.is_valid():
            try:
                homework_review(
                    occurrence=occurrence, actor=user, comment=form.cleaned_data["comment"]
                )
            except CareRefused as error:
                return refused(request, client, str(error))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Comment saved. The client will see it.")
                return redirect("care:plan", client_id=client.pk)
    sel.audit_read(user, client, sel.OBJECT_HOMEWORK, occurrence.pk)
    now = timezone.now()
    context = {
        "client": client,
        "occurrence": occurrence,
        "status": occurrence.status_label(now),
        "rows": answer_rows(occurrence.assignment.fields, occurrence.answers),
        "form": form,
        "may_write": may_write and occurrence.submitted_at is not None,
        "may_withdraw": may_write
        and occurrence.submitted_at is None
        and occurrence.withdrawn_at is None,
        "repeats": occurrence.assignment.repeat != "none",
    }
    return render(request, "care/homework_detail.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def withdraw(request: HttpRequest, client_id: int) -> HttpResponse:
    """Take the exercise of ``item`` (an occurrence id) off the client's list."""
    user = _user(request)
    client = sel.client_for_writer(user, client_id)
    occurrence = sel.occurrence_for_staff(user, client, query_id(request.POST.get("item")))
    try:
        count = homework_withdraw(assignment=occurrence.assignment, actor=user)
    except CareRefused as error:
        return refused(request, client, str(error))
    title = occurrence.assignment.title
    times = f" ({count} times not yet handed in)" if count > 1 else ""
    messages.success(request, f"Withdrew “{title}”{times}. The client no longer sees it.")
    return redirect("care:plan", client_id=client.pk)


def _programs_for(user: User) -> list[Program]:
    if user.role not in (Role.DIRECTOR, Role.CLINICIAN) or not user.is_active:
        raise Http404
    programs = list(
        Program.objects.filter(
            pk__in=ProgramStaff.objects.filter(user=user).values("program_id")
        ).order_by("name")
    )
    if not programs:
        raise Http404
    return programs


@login_required
def library(request: HttpRequest) -> HttpResponse:
    """The exercises the user's programs offer (no client data)."""
    programs = _programs_for(_user(request))
    shelves = [(program, library_for(program)) for program in programs]
    return render(
        request,
        "care/library.html",
        {"shelves": shelves, "fields_as_text": fields_as_text},
    )


@login_required
def library_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    programs = _programs_for(user)
    program = programs[0]
    if len(programs) > 1:
        slug = request.POST.get("program") or request.GET.get("program") or ""
        program = next((p for p in programs if p.slug == slug), program)
    form = ExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exercise_add(
                program=program,
                actor=user,
                kind=data["kind"],
                title=data["title"],
                instructions=data["instructions"],
                fields=data["questions"],
                link=data["link"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Added to the library.")
            return redirect("care:library")
    context = {"form": form, "program": program, "programs": programs}
    return render(request, "care/library_new.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def library_retire(request: HttpRequest, exercise_id: int) -> HttpResponse:
    """Take one of the program's own exercises out of the library (404 for anything else)."""
    user = _user(request)
    programs = _programs_for(user)
    exercise = Exercise.objects.filter(pk=exercise_id, program__in=programs, is_active=True).first()
    if exercise is None:
        raise Http404
    try:
        exercise_retire(exercise=exercise, actor=user)
    except CareRefused as error:
        messages.warning(request, str(error))
    else:
        messages.success(
            request,
            f"“{exercise.title}” is out of the library. Clients who have it keep it.",
        )
    return redirect("care:library")
