"""Client onboarding pages (/welcome/...), the client's signed consents, the intake queue.

One step per screen, phone first. A client may revisit any step already done, and otherwise
only the first unfinished one: a later step's address leads back there, so consents cannot
be skipped by typing a URL. Staff, family and anyone without a client record get a 404.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from openiop.accounts.models import Role, User
from openiop.lib.phones import display_phone
from openiop.programs import selectors
from openiop.programs.models import (
    Client,
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    ScheduleLabel,
)
from openiop.programs.onboarding import (
    CONSENT_STEPS,
    STEP_LABELS,
    STEPS,
    OnboardingProgress,
    Step,
    current_consent,
    intake_queue,
    may_see_intake_queue,
    onboarding_progress,
    open_enrollment,
    signed_consents,
)
from openiop.programs.onboarding_forms import (
    ConsentSignForm,
    ContactsAddressForm,
    address_initial,
)
from openiop.programs.services import onboarding as services

STEP_URL_NAMES = {
    Step.WELCOME: "onboarding:welcome",
    Step.TELEHEALTH: "onboarding:telehealth_consent",
    Step.TREATMENT: "onboarding:treatment_consent",
    Step.CONTACTS: "onboarding:contacts",
    Step.DEVICE: "onboarding:device_check",
}
SCHEDULE_PHRASES: dict[str, str] = {
    ScheduleLabel.MORNING: "in the mornings",
    ScheduleLabel.AFTERNOON: "in the afternoons",
    ScheduleLabel.EVENING: "in the evenings",
    ScheduleLabel.WEEKEND: "at weekends",
}
ALL_SET = "You're all set. Your care team will be in touch about your first session."


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # @login_required ran first


def _own_client(request: HttpRequest) -> Client:
    user = _user(request)
    if user.role != Role.CLIENT:
        raise Http404
    client = selectors.clients_visible_to(user).select_related("program").first()
    if client is None:
        raise Http404
    return client


def _at_step(request: HttpRequest, step: Step) -> tuple[Client, OnboardingProgress]:
    """The signed-in client and their progress; Http404 for anyone else."""
    client = _own_client(request)
    return client, onboarding_progress(client)


def _resume(progress: OnboardingProgress) -> HttpResponse:
    """Where a client picks up: the first unfinished step (a finished client goes home)."""
    if progress.next_step is None:
        return redirect("programs:my_record")
    return redirect(STEP_URL_NAMES[progress.next_step])


def _after_step(request: HttpRequest, client: Client) -> HttpResponse:
    progress = onboarding_progress(client)
    if progress.is_complete:
        messages.success(request, ALL_SET)
    return _resume(progress)


@dataclass(frozen=True)
class BarSegment:
    label: str
    state: str  # "done", "current" or "todo": the CSS class; the words are in `label`


def _step_context(step: Step, progress: OnboardingProgress) -> dict[str, object]:
    index = STEPS.index(step)
    previous = STEPS[index - 1] if index else None
    following = STEPS[index + 1] if index + 1 < len(STEPS) else None
    if following is not None and progress.may_visit(following):
        continue_url = reverse(STEP_URL_NAMES[following])
    else:
        continue_url = reverse("onboarding:resume")
    bar = [
        BarSegment(
            label=STEP_LABELS[s],
            state="current" if s == step else "done" if progress.done[s] else "todo",
        )
        for s in STEPS
    ]
    return {
        "step": step,
        "step_number": index + 1,
        "step_total": len(STEPS),
        "step_label": STEP_LABELS[step],
        "step_done": progress.done[step],
        "back_url": reverse(STEP_URL_NAMES[previous]) if previous else "",
        "continue_url": continue_url,
        "bar": bar,
    }


def _render_step(
    request: HttpRequest,
    template: str,
    step: Step,
    progress: OnboardingProgress,
    context: Mapping[str, object],
    *,
    invalid: bool = False,
) -> HttpResponse:
    context = {**_step_context(step, progress), **context}
    return render(
        request, f"programs/onboarding/{template}", context, status=400 if invalid else 200
    )


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    """/welcome/: resume at the first unfinished step."""
    client = _own_client(request)
    return _resume(onboarding_progress(client))


@login_required
def welcome(request: HttpRequest) -> HttpResponse:
    client, progress = _at_step(request, Step.WELCOME)
    if request.method == "POST":
        services.onboarding_welcome_seen(client=client, actor=_user(request))
        return _after_step(request, client)
    enrollment = open_enrollment(client)
    program = enrollment.program if enrollment else client.program
    track = enrollment.track if enrollment else None
    weekly_hours = enrollment.required_weekly_hours if enrollment else program.min_weekly_hours
    context = {
        "client": client,
        "program": program,
        "track": track,
        "schedule_phrase": SCHEDULE_PHRASES.get(track.schedule_label, "") if track else "",
        "weekly_hours": weekly_hours,
    }
    return _render_step(request, "welcome.html", Step.WELCOME, progress, context)


def consent_sections(body: str) -> list[tuple[str, list[str]]]:
    """A consent's plain text as (heading, paragraphs): blocks are separated by blank lines
    and a block's first line is its heading (see consent_texts.py)."""
    sections = []
    for block in body.strip().split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if lines:
            sections.append((lines[0], lines[1:]))
    return sections


def _consent_step(request: HttpRequest, step: Step) -> HttpResponse:
    client, progress = _at_step(request, step)
    if not progress.may_visit(step):
        return _resume(progress)
    kind = CONSENT_STEPS[step]
    document = current_consent(kind)
    if document is None:
        raise Http404("No consent of this kind is published.")
    signature = ConsentSignature.objects.filter(client=client, document=document).first()
    form = ConsentSignForm(request.POST or None, initial={"document": document.pk})
    if request.method == "POST" and signature is not None:
        return _after_step(request, client)
    if request.method == "POST" and form.is_valid():
        # The version the client read: if a newer one appeared meanwhile, the service refuses.
        read = ConsentDocument.objects.filter(pk=form.cleaned_data["document"], kind=kind).first()
        try:
            if read is None:
                raise ValidationError(services.NEWER_VERSION)
            services.consent_sign(
                client=client,
                document=read,
                typed_name=form.cleaned_data["typed_name"],
                agreed=form.cleaned_data["agreed"],
                actor=_user(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _after_step(request, client)
    context = {
        "client": client,
        "document": document,
        "sections": consent_sections(document.body),
        "signature": signature,
        "form": form,
        "resign": signature is None
        and ConsentSignature.objects.filter(client=client, document__kind=kind).exists(),
    }
    return _render_step(request, "consent.html", step, progress, context, invalid=bool(form.errors))


@login_required
def telehealth_consent(request: HttpRequest) -> HttpResponse:
    return _consent_step(request, Step.TELEHEALTH)


@login_required
def treatment_consent(request: HttpRequest) -> HttpResponse:
    return _consent_step(request, Step.TREATMENT)


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    client, progress = _at_step(request, Step.CONTACTS)
    if not progress.may_visit(Step.CONTACTS):
        return _resume(progress)
    form = ContactsAddressForm(request.POST or None, initial=address_initial(client))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        address = services.HomeAddress(
            line=data["line"],
            city=data["city"],
            region=data["region"],
            postal_code=data["postal_code"],
            country=data["country"],
        )
        contact = None
        if form.contact_given():
            contact = services.ContactDetails(
                name=data["contact_name"],
                relationship=data["contact_relationship"],
                phone=data["contact_phone"],
                is_support_person=data["contact_is_support_person"],
                consent_to_contact=data["contact_consent_to_contact"],
            )
        try:
            services.onboarding_contacts_save(
                client=client,
                address=address,
                contact=contact,
                actor=_user(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.POST.get("then") == "add-another":
                messages.success(request, "Saved. You can add another contact below.")
                return redirect("onboarding:contacts")
            return _after_step(request, client)
    rows = [(c, display_phone(c.phone)) for c in client.emergency_contacts.all()]
    context = {"client": client, "form": form, "contacts": rows}
    return _render_step(
        request, "contacts.html", Step.CONTACTS, progress, context, invalid=bool(form.errors)
    )


@login_required
@require_POST
def contact_remove(request: HttpRequest, contact_id: int) -> HttpResponse:
    client = _own_client(request)
    contact = get_object_or_404(client.emergency_contacts, pk=contact_id)
    try:
        services.emergency_contact_remove(contact=contact, actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Contact removed.")
    return redirect("onboarding:contacts")


@login_required
def device_check(request: HttpRequest) -> HttpResponse:
    client, progress = _at_step(request, Step.DEVICE)
    if not progress.may_visit(Step.DEVICE):
        return _resume(progress)
    if request.method == "POST":
        services.onboarding_device_check_done(client=client, actor=_user(request))
        return _after_step(request, client)
    context = {"client": client}
    return _render_step(request, "device_check.html", Step.DEVICE, progress, context)


# The client's own signed consents ---------------------------------------------------------


@login_required
def my_consents(request: HttpRequest) -> HttpResponse:
    client = selectors.read_client_for_user(
        _user(request), _own_client(request).pk, object_type="consent_signature_list"
    )
    signatures = list(signed_consents(client))
    current_ids = {doc.pk for kind in ConsentKind if (doc := current_consent(kind)) is not None}
    return render(
        request,
        "programs/onboarding/my_consents.html",
        {"client": client, "signatures": signatures, "current_ids": current_ids},
    )


@login_required
def my_consent(request: HttpRequest, signature_id: int) -> HttpResponse:
    client = _own_client(request)
    signature = get_object_or_404(signed_consents(client), pk=signature_id)
    selectors.read_client_for_user(
        _user(request), client.pk, object_type="consent_signature", object_id=signature.pk
    )
    context = {
        "client": client,
        "signature": signature,
        "document": signature.document,
        "sections": consent_sections(signature.document.body),
    }
    return render(request, "programs/onboarding/my_consent.html", context)


# Staff: the intake queue ------------------------------------------------------------------


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Clients referred or in intake, with how far each has got through onboarding."""
    user = _user(request)
    if not may_see_intake_queue(user):
        raise Http404
    rows = list(intake_queue(user))
    selectors.record_list_read(user, [row.client_id for row in rows], object_type="intake_queue")
    return render(request, "programs/onboarding/intake_queue.html", {"rows": rows})
