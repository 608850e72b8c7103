"""Staff pages for one client's treatment plan: read, edit the draft, sign, history, review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openiop.accounts.models import User
from openiop.care import selectors as sel
from openiop.care.forms import GoalFormSet, PlanForm, ProgressForm, goal_initial
from openiop.care.models import Goal, PlanVersion
from openiop.care.services import (
    CareRefused,
    goal_progress_record,
    plan_draft_save,
    plan_review_record,
    plan_sign_clinician,
    plan_start,
)
from openiop.programs.models import Client


def refused(request: HttpRequest, client: Client, message: str, status: int = 409) -> HttpResponse:
    """The page for a refused change: the reason, and the way back; nothing was written."""
    return render(
        request, "care/refused.html", {"client": client, "message": message}, status=status
    )


def query_id(value: str | None) -> int:
    """A positive id from a query or form value; Http404 for anything else."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 12:
        raise Http404
    return int(value)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def plan(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    client = sel.client_for_staff(user, client_id)
    now = timezone.now()
    view = sel.plan_view(client, now=now, with_scores=True)
    sel.audit_read(user, client, sel.OBJECT_PLAN, view.shown.pk if view.shown else "")
    homework = list(
        sel.homework_for(client, include_withdrawn=True).order_by("-due_at", "-pk")[:50]
    )
    overall = sel.completion_by_client([client.pk], now).get(client.pk, (0, 0))
    may_write = sel.may_write_care(user, client)
    context = {
        "client": client,
        "view": view,
        "may_write": may_write,
        "review_due_on": sel.day_of(view.plan.review_due_at, client.program.time_zone)
        if view.plan
        else None,
        "review_overdue": bool(view.plan and view.plan.review_overdue(now)),
        "homework": [(o, o.status_label(now)) for o in homework],
        "overall": overall,
        "overall_percent": sel.percent(overall),
        "rate_progress": may_write and view.shown is not None and view.shown.is_locked,
    }
    return render(request, "care/plan.html", context)


@login_required
def plan_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    """The draft's form; with no draft, the way to start one (a signed version never changes)."""
    user = _user(request)
    client = sel.client_for_writer(user, client_id)
    view = sel.plan_view(client, now=timezone.now())
    if request.method == "POST":
        return _save(request, client, view)
    draft = view.latest if view.latest and not view.latest.is_locked else None
    sel.audit_read(user, client, sel.OBJECT_PLAN, draft.pk if draft else "")
    if draft is None:
        return render(request, "care/plan_start.html", {"client": client, "view": view})
    plan_form = PlanForm(
        initial={
            "problems": "\n".join(draft.problems),
            "review_every_days": view.plan.review_every_days if view.plan else 30,
        }
    )
    goals = GoalFormSet(initial=[goal_initial(row.goal) for row in view.goals], prefix="goals")
    return _edit_page(request, client, draft, plan_form, goals)


def _edit_page(
    request: HttpRequest,
    client: Client,
    draft: PlanVersion,
    plan_form: PlanForm,
    goals: object,
    status: int = 200,
) -> HttpResponse:
    context = {"client": client, "draft": draft, "plan_form": plan_form, "goals": goals}
    return render(request, "care/plan_edit.html", context, status=status)


def _save(request: HttpRequest, client: Client, view: sel.PlanView) -> HttpResponse:
    version_id = request.POST.get("version", "")
    version = None
    if view.plan is not None and version_id.isascii() and version_id.isdigit():
        version = PlanVersion.objects.filter(plan=view.plan, pk=int(version_id)).first()
    if version is None:
        raise Http404
    if version.is_locked:
        return refused(
            request,
            client,
            "This version is signed and read-only. Start a new "
            "version to make changes; nothing was saved.",
        )
    plan_form = PlanForm(request.POST)
    goals = GoalFormSet(request.POST, prefix="goals")
    if plan_form.is_valid() and goals.is_valid():
        inputs = [
            form.goal_input()
            for form in goals.forms
            if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            plan_draft_save(
                version=version,
                actor=_user(request),
                problems=plan_form.problem_list(),
                goals=inputs,
                review_every_days=plan_form.cleaned_data["review_every_days"],
            )
        except ValidationError as error:
            plan_form.add_error(None, error)
        except CareRefused as error:
            return refused(request, client, str(error))
        else:
            if "sign" in request.POST:
                return redirect("care:plan_sign", client_id=client.pk)
            messages.success(request, "Draft saved. It is not signed yet.")
            return redirect("care:plan", client_id=client.pk)
    return _edit_page(request, client, version, plan_form, goals, status=400)


@login_required
@require_POST
def plan_new(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    client = sel.client_for_writer(user, client_id)
    try:
        version = plan_start(client=client, actor=user)
    except CareRefused as error:
        return refused(request, client, str(error))
    messages.info(request, f"Version {version.number} is a draft until you sign it.")
    return redirect("care:plan_edit", client_id=client.pk)


@login_required
def plan_sign(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    client = sel.client_for_writer(user, client_id)
    view = sel.plan_view(client, now=timezone.now())
    draft = view.latest
    if draft is None or draft.is_locked:
        if request.method == "POST":
            return refused(request, client, "There is no draft to sign; nothing was signed.")
        return redirect("care:plan", client_id=client.pk)
    problem = ""
    if request.method == "POST":
        try:
            plan_sign_clinician(version=draft, actor=user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        except CareRefused as error:
            return refused(request, client, str(error))
        else:
            messages.success(
                request, f"Version {draft.number} signed. The client can now read and sign it."
            )
            return redirect("care:plan", client_id=client.pk)
    sel.audit_read(user, client, sel.OBJECT_PLAN, draft.pk)
    context = {
        "client": client,
        "view": view,
        "problem": problem,
    }
    return render(request, "care/plan_sign.html", context, status=400 if problem else 200)


@login_required
def plan_history(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    client = sel.client_for_staff(user, client_id)
    view = sel.plan_view(client, now=timezone.now())
    sel.audit_read(user, client, sel.OBJECT_PLAN, view.plan.pk if view.plan else "")
    return render(request, "care/plan_history.html", {"client": client, "view": view})


@login_required
def plan_version(request: HttpRequest, client_id: int) -> HttpResponse:
    """One version, read-only: ``?number=N``."""
    user = _user(request)
    client = sel.client_for_staff(user, client_id)
    number = query_id(request.GET.get("number"))
    view = sel.plan_view(client, now=timezone.now())
    version = next((v for v in view.versions if v.number == number), None)
    if version is None:
        raise Http404("No such version.")
    sel.audit_read(user, client, sel.OBJECT_PLAN, version.pk)
    context = {
        "client": client,
        "view": view,
        "version": version,
        "goals": sel.goal_rows(version, timezone.now(), with_scores=True),
    }
    return render(request, "care/plan_version.html", context)


@login_required
@require_POST
def plan_review(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    client = sel.client_for_writer(user, client_id)
    view = sel.plan_view(client, now=timezone.now())
    if view.plan is None:
        return refused(request, client, "This client has no plan to review yet.")
    try:
        plan_review_record(plan=view.plan, actor=user)
    except CareRefused as error:
        return refused(request, client, str(error))
    messages.success(request, "Review recorded; the next one is scheduled.")
    return redirect("care:plan", client_id=client.pk)


@login_required
@require_POST
def goal_progress(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    client = sel.client_for_writer(user, client_id)
    goal_id = query_id(request.POST.get("goal"))
    goal = Goal.objects.filter(pk=goal_id, version__plan__client=client).first()
    if goal is None:
        raise Http404
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Progress is a whole number from 0 to 10; nothing was saved.")
        return redirect("care:plan", client_id=client.pk)
    try:
        goal_progress_record(goal=goal, actor=user, rating=form.cleaned_data["rating"])
    except (CareRefused, ValidationError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        return refused(request, client, text)
    messages.success(request, "Progress recorded.")
    return redirect("care:plan", client_id=client.pk)
