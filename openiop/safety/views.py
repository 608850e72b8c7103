"""The client's safety pages: Help now (works offline), their safety plan, their contacts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.lib.phones import display_phone
from openiop.programs import services as program_services
from openiop.programs.models import Client
from openiop.programs.onboarding_forms import ContactsAddressForm, address_initial
from openiop.programs.selectors import clients_visible_to
from openiop.safety import selectors, services
from openiop.safety.forms import SECTION_TITLES, ConsentToggleForm, SafetyPlanForm
from openiop.safety.models import SafetyPlan


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _own_client(request: HttpRequest) -> Client:
    """The signed-in client's own record; 404 for everyone else (these are /me/ pages)."""
    user = _user(request)
    client = (
        clients_visible_to(user).select_related("program").filter(user=user).first()
        if user.role == Role.CLIENT
        else None
    )
    if client is None:
        raise Http404
    return client


def plan_sections(plan: SafetyPlan | None) -> list[tuple[str, str]]:
    """(title, text) for each section, in order, for display."""
    if plan is None:
        return []
    return [(SECTION_TITLES[name], getattr(plan, name)) for name in SafetyPlan.SECTIONS]


# Help now -----------------------------------------------------------------------------------


@login_required
def help_now(request: HttpRequest) -> HttpResponse:
    """Crisis resources, one tap from every client page. Tiny, cached by a service worker for
    offline use, private to the signed-in person (never stored by shared caches)."""
    user = _user(request)
    client = (
        clients_visible_to(user).select_related("program").filter(user=user).first()
        if user.role == Role.CLIENT
        else None
    )
    crisis = None
    if client is not None:
        with transaction.atomic():
            crisis = selectors.crisis_view(client)
            audit_record(
                actor=user,
                action=Action.READ,
                object_type="safety.help_now",
                object_id=crisis.plan.pk if crisis.plan else "",
                client_id=client.pk,
            )
    response = render(
        request,
        "safety/help_now.html",
        {
            "client": client,
            "crisis": crisis,
            "sections": plan_sections(crisis.plan if crisis else None),
            "support_phone": display_phone(crisis.support.phone)
            if crisis and crisis.support
            else "",
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def help_sw(request: HttpRequest) -> HttpResponse:
    """The Help now service worker (scope /help/). Holds no data of its own."""
    from django.contrib.staticfiles import finders

    path = finders.find("safety/help-sw.js")
    if not path:
        raise Http404
    with open(str(path), encoding="utf-8") as handle:
        body = handle.read()
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/help/"
    return response


@login_required
@require_POST
def help_press(request: HttpRequest) -> HttpResponse:
    """ "I need help now": a high alert for the care team, and what happens next."""
    client = _own_client(request)
    services.help_button_press(client=client, actor=_user(request))
    return redirect("safety:help_sent")


@login_required
def help_sent(request: HttpRequest) -> HttpResponse:
    client = _own_client(request)
    with transaction.atomic():
        crisis = selectors.crisis_view(client)
        audit_record(
            actor=_user(request),
            action=Action.READ,
            object_type="safety.help_now",
            object_id="sent",
            client_id=client.pk,
        )
    return render(request, "safety/help_sent.html", {"client": client, "crisis": crisis})


# The client's safety plan ---------------------------------------------------------------------


@login_required
def my_plan(request: HttpRequest) -> HttpResponse:
    client = _own_client(request)
    return plan_page(request, client, template="safety/my_plan.html", own=True)


def plan_page(request: HttpRequest, client: Client, *, template: str, own: bool) -> HttpResponse:
    """The plan's edit page, shared by the client's /me/ page and the staff page."""
    user = _user(request)
    with transaction.atomic():
        latest = selectors.plan_latest(client)
        audit_record(
            actor=user,
            action=Action.READ,
            object_type="safety.plan",
            object_id=latest.pk if latest else "",
            client_id=client.pk,
        )
    initial: dict[str, object] = (
        {name: getattr(latest, name) for name in SafetyPlan.SECTIONS}
        if latest
        else dict(selectors.plan_defaults(client))
    )
    if latest:
        initial["review_on"] = latest.review_on
    form = SafetyPlanForm(request.POST or None, initial=initial)
    may_edit = selectors.may_edit_plan(user, client)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(selectors.NOT_ALLOWED_PLAN)
        if form.is_valid():
            try:
                services.safety_plan_save(
                    client=client,
                    actor=user,
                    sections=form.sections(),
                    review_on=form.cleaned_data.get("review_on"),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your changes to the plan are saved.")
                return redirect(request.path)
    context = {
        "client": client,
        "form": form,
        "plan": latest,
        "history": selectors.plan_history(client),
        "may_edit": may_edit,
        "own": own,
    }
    return render(request, template, context, status=400 if form.errors else 200)


def plan_sign(request: HttpRequest, client: Client) -> HttpResponse:
    plan = selectors.plan_latest(client)
    if plan is None:
        messages.error(request, services.EMPTY_PLAN)
        return redirect(request.path.removesuffix("sign/"))
    try:
        services.safety_plan_sign(plan=plan, actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Signed.")
    return redirect(request.path.removesuffix("sign/"))


@login_required
@require_POST
def my_plan_sign(request: HttpRequest) -> HttpResponse:
    return plan_sign(request, _own_client(request))


# Contacts and home address -------------------------------------------------------------------


@login_required
def my_contacts(request: HttpRequest) -> HttpResponse:
    """Emergency contacts, the support person and consent to contact them, the home address
    (saving reuses the onboarding service, so the checks read the same everywhere)."""
    client = _own_client(request)
    form = ContactsAddressForm(request.POST or None, initial=address_initial(client))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact = None
        if form.contact_given():
            contact = program_services.ContactDetails(
                name=data["contact_name"],
                relationship=data["contact_relationship"],
                phone=data["contact_phone"],
                is_support_person=data["contact_is_support_person"],
                consent_to_contact=data["contact_consent_to_contact"],
            )
        address = program_services.HomeAddress(
            line=data["line"],
            city=data["city"],
            region=data["region"],
            postal_code=data["postal_code"],
            country=data["country"],
        )
        try:
            program_services.onboarding_contacts_save(
                client=client, address=address, contact=contact, actor=_user(request)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved.")
            return redirect("safety:my_contacts")
    with transaction.atomic():
        contacts = list(client.emergency_contacts.all())  # type: ignore[attr-defined]
        audit_record(
            actor=_user(request),
            action=Action.READ,
            object_type="emergency_contact_list",
            object_id=client.pk,
            client_id=client.pk,
        )
    rows = [(c, display_phone(c.phone)) for c in contacts]
    return render(
        request,
        "safety/my_contacts.html",
        {"client": client, "form": form, "contacts": rows},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def my_contact_consent(request: HttpRequest, contact_id: int) -> HttpResponse:
    client = _own_client(request)
    contact = get_object_or_404(client.emergency_contacts, pk=contact_id)  # type: ignore[attr-defined]
    form = ConsentToggleForm(request.POST)
    form.is_valid()
    services.emergency_contact_consent(
        contact=contact,
        actor=_user(request),
        is_support_person=form.cleaned_data.get("is_support_person", False),
        consent=form.cleaned_data.get("consent_to_contact", False),
    )
    messages.success(request, "Saved.")
    return redirect("safety:my_contacts")


@login_required
@require_POST
def my_contact_remove(request: HttpRequest, contact_id: int) -> HttpResponse:
    client = _own_client(request)
    contact = get_object_or_404(client.emergency_contacts, pk=contact_id)  # type: ignore[attr-defined]
    try:
        program_services.emergency_contact_remove(contact=contact, actor=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Contact removed.")
    return redirect("safety:my_contacts")
