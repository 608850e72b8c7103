"""The client's own pages: their plan in plain words (and signing it), their homework.

No client id in any path: always the signed-in client's own (Http404 for staff).
"""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import time_format

from openiop.accounts.models import User
from openiop.care import selectors as sel
from openiop.care.forms import ClientSignForm, HomeworkForm, answer_rows, answered
from openiop.care.services import CareRefused, homework_save, plan_sign_client

SAVED = "Saved."


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def my_plan(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    client = sel.own_client(user)
    now = timezone.now()
    view = sel.plan_view(client, now=now, client_side=True)
    version = view.shown
    form = ClientSignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and version is not None and form.is_valid():
        try:
            plan_sign_client(
                version=version, client=client, typed_name=form.cleaned_data["typed_name"]
            )
        except ValidationError as error:
            form.add_error("typed_name", error)
        except CareRefused as error:
            messages.warning(request, str(error))
            return redirect("care:my_plan")
        else:
            messages.success(request, "Thank you. You have signed your plan.")
            return redirect("care:my_plan")
    sel.audit_read(user, client, sel.OBJECT_PLAN, version.pk if version else "")
    context = {
        "client": client,
        "version": version,
        "goals": view.goals,
        "form": form,
        "may_sign": version is not None and version.client_signed_at is None,
    }
    return render(request, "care/my_plan.html", context, status=400 if form.errors else 200)


@login_required
def my_homework(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    client = sel.own_client(user)
    now = timezone.now()
    items = list(sel.homework_for(client).order_by("due_at", "pk")[:200])
    sel.audit_read(user, client, sel.OBJECT_HOMEWORK, "list")
    todo = [(o, o.status_label(now)) for o in items if o.submitted_at is None]
    done = [(o, o.status_label(now)) for o in reversed(items) if o.submitted_at is not None]
    context = {"client": client, "todo": todo, "done": done[:30]}
    return render(request, "care/my_homework.html", context)


@login_required
def my_homework_item(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    """One exercise: autosaved as the client types (homework.js), a Save draft button
    without JavaScript, and Hand in. Once handed in: their answers and any comment."""
    user = _user(request)
    occurrence = sel.occurrence_for_client(user, occurrence_id)
    client = occurrence.client
    specs = occurrence.assignment.fields
    autosave = request.headers.get("X-Autosave") == "1"
    if request.method == "POST" and occurrence.submitted_at is None:
        form = HomeworkForm(request.POST, specs=specs)
        submit = "submit" in request.POST and not autosave
        if form.is_valid():
            answers = form.answers()
            if submit and not answered(answers):
                form.add_error(None, "Answer at least one question before you hand it in.")
            else:
                try:
                    homework_save(occurrence=occurrence, actor=user, answers=answers, submit=submit)
                except CareRefused as error:
                    if autosave:
                        return JsonResponse({"detail": str(error)}, status=409)
                    messages.warning(request, str(error))
                    return redirect("care:my_homework_item", occurrence_id=occurrence.pk)
                if autosave:
                    local = timezone.localtime(timezone.now(), ZoneInfo(client.time_zone))
                    return JsonResponse({"saved": f"Saved at {time_format(local, 'g:i a')}."})
                if submit:
                    messages.success(request, "Handed in. Well done.")
                    return redirect("care:my_homework")
                messages.success(request, "Draft saved. You can come back to it any time.")
                return redirect("care:my_homework_item", occurrence_id=occurrence.pk)
        if autosave:
            return JsonResponse({"detail": "Some answers need a look before saving."}, status=400)
        status = 400
    elif request.method == "POST":
        if autosave:
            return JsonResponse({"detail": "Already handed in."}, status=409)
        messages.warning(request, "You have already handed this in; it can no longer change.")
        return redirect("care:my_homework_item", occurrence_id=occurrence.pk)
    else:
        form = HomeworkForm(initial=HomeworkForm.initial_from(occurrence.answers), specs=specs)
        status = 200
    sel.audit_read(user, client, sel.OBJECT_HOMEWORK, occurrence.pk)
    context = {
        "client": client,
        "occurrence": occurrence,
        "assignment": occurrence.assignment,
        "form": form,
        "status": occurrence.status_label(timezone.now()),
        "rows": answer_rows(specs, occurrence.answers) if occurrence.submitted_at else [],
    }
    return render(request, "care/my_homework_item.html", context, status=status)
