"""Referral intake pages: the referral form, client documents, the client's invitation."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record_atomic
from openiop.programs import intake
from openiop.programs.invites import user_for_invite
from openiop.programs.referral_forms import DocumentUploadForm, InvitePasswordForm, ReferralForm
from openiop.programs.services import documents as document_services
from openiop.programs.services import invites as invite_services
from openiop.programs.services.referrals import PossibleDuplicate, referral_create

_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _posted(request: HttpRequest) -> tuple[Any, Any]:
    # A POST with no fields at all must still be validated (and refused), not shown afresh.
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    """Clinicians and directors record a referral into one of their programs."""
    user: User = request.user  # type: ignore[assignment]
    programs = intake.programs_for_referrer(user)
    if not programs.exists():
        raise Http404
    form = ReferralForm(*_posted(request), programs=programs)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_create(**form.cleaned_data, actor=user)
        except PossibleDuplicate as found:
            duplicate = found.existing
            form.ask_to_confirm_not_duplicate()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, "Referral recorded. The client's invitation email is on its way."
            )
            return redirect("programs:client_detail", client_id=referral.enrollment.client_id)
    context = {
        "form": form,
        "duplicate": duplicate,
        "duplicate_visible": duplicate is not None
        and intake.get_client_or_none(user, duplicate.pk) is not None,
    }
    status = 409 if duplicate else 400 if form.errors else 200
    return render(request, "programs/referrals/referral_form.html", context, status=status)


@login_required
def document_upload(request: HttpRequest, client_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = intake.get_client_for_document_staff(user, client_id)
    form = DocumentUploadForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            added = document_services.document_add(
                client=client, uploads=form.cleaned_data["documents"], actor=user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{len(added)} document(s) added.")
            return redirect("programs:client_detail", client_id=client.pk)
    return render(
        request,
        "programs/referrals/document_upload.html",
        {"form": form, "client": client},
        status=400 if form.errors else 200,
    )


@login_required
def document_download(request: HttpRequest, client_id: int, document_id: int) -> FileResponse:
    """The file as an attachment, never rendered inline; each download is audited."""
    user: User = request.user  # type: ignore[assignment]
    document = intake.get_document_for_user(user, client_id, document_id)
    try:
        handle = document_services.document_open(document=document, actor=user)
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document_services.download_name(document),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_POST
def invite_resend(request: HttpRequest, client_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = intake.get_client_for_document_staff(user, client_id)
    try:
        invite_services.invite_resend(client=client, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, "A new invitation email is on its way. Earlier links no longer work."
        )
    return redirect("programs:client_detail", client_id=client.pk)


def invite_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from a client's invitation: choose a password, then arrive signed in."""
    return password_from_invite(
        request,
        uidb64,
        token,
        invited=user_for_invite,
        accept=invite_services.invite_accept,
        invalid=invite_services.InviteInvalid,
        invalid_template="programs/referrals/invite_invalid.html",
    )


def password_from_invite(
    request: HttpRequest,
    uidb64: str,
    token: str,
    *,
    invited: Callable[[str, str], object | None],
    accept: Callable[..., User],
    invalid: type[Exception],
    invalid_template: str,
) -> HttpResponse:
    """One flow for every emailed one-time link (a client's, a family member's): 410 with
    `invalid_template` for a used or expired link; otherwise choose a password (checked by
    the validators), sign in (audited) and arrive at home."""
    if invited(uidb64, token) is None:
        return render(request, invalid_template, status=410)
    form = InvitePasswordForm(
        _posted(request)[0], help_text=" ".join(password_validators_help_texts())
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = accept(uidb64=uidb64, token=token, password=form.cleaned_data["password1"])
        except invalid:
            return render(request, invalid_template, status=410)
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            login(request, user, backend=_BACKEND)
            audit_record_atomic(actor=user, action=Action.LOGIN, object_type="session")
            messages.success(request, "Your password is set. Welcome to OpenIOP.")
            return redirect("home")
    return render(
        request,
        "programs/referrals/invite.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
