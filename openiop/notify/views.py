"""The in-app inbox, a person's notification preferences, and the SMS provider's webhook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from openiop.notify.forms import PreferenceForm
from openiop.notify.models import StaffTask
from openiop.notify.selectors import inbox_for, open_tasks_for
from openiop.notify.services import (
    inbox_mark_read,
    preference_for,
    preference_update,
    sms_reply_receive,
    staff_task_done,
)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
STAFF_ROLES = {"clinician", "facilitator", "director", "compliance", "admin"}


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "items": inbox_for(user),
        "tasks": open_tasks_for(user) if getattr(user, "role", "") in STAFF_ROLES else None,
    }
    return render(request, "notify/inbox.html", context)


@login_required
@require_POST
def inbox_read(request: HttpRequest, message_id: int | None = None) -> HttpResponse:
    inbox_mark_read(user=request.user, message_id=message_id)
    return redirect("notify:inbox")


@login_required
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(StaffTask, pk=task_id, user_id=request.user.pk)
    staff_task_done(task=task, actor=request.user)
    messages.success(request, "Marked done.")
    return redirect("notify:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    pref = preference_for(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                preference_update(user=request.user, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, "Saved. We'll reach you this way from now on.")
                return redirect("notify:preferences")
    else:
        form = PreferenceForm(
            initial={
                "email_on": pref.email_on,
                "sms_on": pref.sms_on,
                "inapp_on": pref.inapp_on,
                "phone": pref.phone,
                "quiet_start": pref.quiet_start,
                "quiet_end": pref.quiet_end,
                "time_zone": pref.time_zone,
                "language": pref.language,
                "discreet": pref.discreet,
            }
        )
    return render(request, "notify/preferences.html", {"form": form, "pref": pref})


def _attach(form: PreferenceForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@csrf_exempt  # the provider cannot send our CSRF token; the request is signed instead
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """A reply to one of our texts: STOP opts the number out, START opts it back in."""
    from django.conf import settings

    from openiop.notify.channels import sms

    url = f"{settings.OPENIOP_BASE_URL}{request.path}"
    params = {name: request.POST.getlist(name) for name in request.POST}
    if not sms.signature_valid(url, params, request.headers.get("X-Twilio-Signature", "")):
        return HttpResponseForbidden("Bad signature.")
    sms_reply_receive(
        phone=request.POST.get("From", ""), body=request.POST.get("Body", ""), at=timezone.now()
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
