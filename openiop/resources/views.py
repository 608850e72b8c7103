"""Pages of the resources app: the directory staff keep, the client's resources and family
sharing, and referrals out on the client's record."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import Client
from openiop.programs.selectors import clients_visible_to, read_client_for_user
from openiop.resources import selectors, services
from openiop.resources.forms import (
    ChooseResourceForm,
    DisclosureConsentForm,
    FamilyInviteForm,
    Part2Form,
    PartnerLocationForm,
    ReferralForm,
    ResourceForm,
    SearchForm,
    StatusForm,
)
from openiop.resources.models import ClientResource, FamilyConsent, PartnerLocation, ReferralOut


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _add_errors(form: object, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            known = field in form.fields  # type: ignore[attr-defined]
            for e in errors:
                form.add_error(field if known else None, e)  # type: ignore[attr-defined]
    else:
        form.add_error(None, error)  # type: ignore[attr-defined]


def _status(form: object) -> int:
    return 400 if getattr(form, "is_bound", False) and form.errors else 200  # type: ignore[attr-defined]


# The directory (program staff) -----------------------------------------------------------


@login_required
def directory(request: HttpRequest, slug: str) -> HttpResponse:
    """The program's directory with a search; stale entries are flagged."""
    user = _user(request)
    program = selectors.get_program_for_staff(user, slug)
    search = SearchForm(request.GET or None)
    category, postal_code, radius = search.values()
    try:
        found = selectors.directory_search(
            program,
            category=category,
            postal_code=postal_code,
            radius_miles=radius,
            listed_only=False,
        )
    except selectors.UnknownPostalCode as error:
        search.add_error("postal_code", str(error))
        found = []
    today = timezone.localdate()
    context = {
        "program": program,
        "search": search,
        "found": found,
        "today": today,
        "stale_before": selectors.stale_cutoff(today),
        "locations": selectors.partner_locations(program),
        "part2_form": Part2Form(initial={"is_part2": selectors.is_part2(program)}),
        "is_director": user.role == Role.DIRECTOR,
    }
    return render(request, "resources/directory.html", context, status=_status(search))


@login_required
def resource_edit(request: HttpRequest, slug: str, resource_id: int | None = None) -> HttpResponse:
    user = _user(request)
    program = selectors.get_program_for_staff(user, slug)
    resource = selectors.get_resource_for_staff(user, program, resource_id) if resource_id else None
    initial = {"last_verified_on": timezone.localdate(), "country": "US"} if not resource else None
    form = ResourceForm(request.POST or None, instance=resource, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services.resource_save(program=program, actor=user, resource=resource, **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Saved “{saved.name}”.")
            return redirect("resources:directory", slug=program.slug)
    context = {"program": program, "form": form, "resource": resource}
    return render(request, "resources/resource_form.html", context, status=_status(form))


@login_required
@require_POST
def resource_verify(request: HttpRequest, slug: str, resource_id: int) -> HttpResponse:
    user = _user(request)
    program = selectors.get_program_for_staff(user, slug)
    resource = selectors.get_resource_for_staff(user, program, resource_id)
    services.resource_verify(resource=resource, actor=user)
    messages.success(request, f"Marked “{resource.name}” as checked today.")
    return redirect("resources:directory", slug=program.slug)


@login_required
def location_edit(request: HttpRequest, slug: str, location_id: int | None = None) -> HttpResponse:
    user = _user(request)
    program = selectors.get_program_for_staff(user, slug)
    location = None
    if location_id is not None:
        location = PartnerLocation.objects.filter(program=program, pk=location_id).first()
        if location is None:
            raise Http404("No such location.")
    form = PartnerLocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.partner_location_save(program=program, actor=user, location=location, **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Partner location saved.")
            return redirect("resources:directory", slug=program.slug)
    context = {"program": program, "form": form, "location": location}
    return render(request, "resources/location_form.html", context, status=_status(form))


@login_required
@require_POST
def part2_set(request: HttpRequest, slug: str) -> HttpResponse:
    user = _user(request)
    program = selectors.get_program_for_staff(user, slug)
    if user.role != Role.DIRECTOR:
        raise Http404
    form = Part2Form(request.POST)
    form.is_valid()
    flag = services.program_part2_set(
        program=program, is_part2=form.cleaned_data.get("is_part2", False), actor=user
    )
    messages.success(
        request,
        "Consents in this program now carry the 42 CFR Part 2 elements."
        if flag.is_part2
        else "This program is no longer marked as a Part 2 program.",
    )
    return redirect("resources:directory", slug=program.slug)


# The client's own pages ---------------------------------------------------------------------


def _own_client(user: User) -> Client:
    if user.role != Role.CLIENT:
        raise Http404
    client = clients_visible_to(user).select_related("program").first()
    if client is None:
        raise Http404
    return client


@login_required
def my_resources(request: HttpRequest) -> HttpResponse:
    """ "Near me": what the care team chose, and a search of the program's directory."""
    client = _own_client(_user(request))
    search = SearchForm(request.GET or None, initial={"postal_code": client.postal_code})
    category, postal_code, radius = search.values()
    found: list[selectors.Found] = []
    if search.is_bound:
        try:
            found = selectors.directory_search(
                client.program, category=category, postal_code=postal_code, radius_miles=radius
            )
        except selectors.UnknownPostalCode as error:
            search.add_error("postal_code", str(error))
    with transaction.atomic():
        chosen = selectors.chosen_for(client)
        audit_record(
            actor=request.user,
            action=Action.READ,
            object_type="client_resources",
            object_id=client.pk,
            client_id=client.pk,
        )
    context = {"client": client, "chosen": chosen, "search": search, "found": found}
    return render(request, "resources/my_resources.html", context, status=_status(search))


@login_required
def my_family(request: HttpRequest) -> HttpResponse:
    """The people the client shares with, and the form to invite one (the consent itself)."""
    user = _user(request)
    client = _own_client(user)
    form = FamilyInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        share = services.FamilyShare(
            email=data["email"],
            name=data["name"],
            relationship=data["relationship"],
            scopes=frozenset(data["scopes"]),
            purpose=data["purpose"],
            expires_at=form.expires_at(ZoneInfo(client.time_zone)),
            signed_name=data["signed_name"],
        )
        try:
            services.family_invite(client=client, share=share, actor=user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {data['email']}.")
            return redirect("resources:my_family")
    now = timezone.now()
    with transaction.atomic():
        consents = list(
            FamilyConsent.objects.filter(client=client)
            .select_related("family_user")
            .order_by("-created_at", "-pk")
        )
        audit_record(
            actor=user,
            action=Action.READ,
            object_type="family_consents",
            object_id=client.pk,
            client_id=client.pk,
        )
    context = {
        "client": client,
        "form": form,
        "active": [c for c in consents if c.is_active(now)],
        "ended": [c for c in consents if not c.is_active(now)],
        "is_part2": selectors.is_part2(client.program),
    }
    return render(request, "resources/my_family.html", context, status=_status(form))


@login_required
@require_POST
def my_family_revoke(request: HttpRequest, consent_id: int) -> HttpResponse:
    user = _user(request)
    client = _own_client(user)
    consent = FamilyConsent.objects.filter(client=client, pk=consent_id).first()
    if consent is None:
        raise Http404
    services.family_consent_revoke(consent=consent, actor=user)
    messages.success(request, f"You stopped sharing with {consent.recipient}. It takes effect now.")
    return redirect("resources:my_family")


# On the client's record (care team) ------------------------------------------------------


@login_required
def client_resources(request: HttpRequest, client_id: int) -> HttpResponse:
    """The care team chooses directory entries for the client's "Near me" list."""
    user = _user(request)
    client = selectors.client_for_referrals(user, client_id)
    form = ChooseResourceForm(client.program, request.POST or None)
    if request.method == "POST":
        remove = request.POST.get("remove", "")
        if remove.isascii() and remove.isdigit():
            chosen = ClientResource.objects.filter(client=client, pk=int(remove)).first()
            if chosen is None:
                raise Http404
            services.client_resource_remove(chosen=chosen, actor=user)
            return redirect("resources:client_resources", client_id=client.pk)
        if form.is_valid():
            try:
                services.client_resource_add(
                    client=client, resource=form.cleaned_data["resource"], actor=user
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return redirect("resources:client_resources", client_id=client.pk)
    read_client_for_user(user, client.pk, object_type="client_resources")
    context = {"client": client, "chosen": selectors.chosen_for(client), "form": form}
    return render(request, "resources/client_resources.html", context, status=_status(form))


@login_required
def referrals_out(request: HttpRequest, client_id: int) -> HttpResponse:
    user = _user(request)
    client = selectors.client_for_referrals(user, client_id)
    may_refer = selectors.may_refer(user, client)
    form = ReferralForm(client.program, request.POST or None)
    if request.method == "POST":
        if not may_refer:
            raise Http404
        if form.is_valid():
            try:
                referral = services.referral_out_create(
                    client=client, actor=user, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Referral recorded. No records were sent.")
                return redirect("resources:referral_out", referral_id=referral.pk)
    read_client_for_user(user, client.pk, object_type="referrals_out")
    referrals = selectors.referrals_of(client)
    context = {"client": client, "referrals": referrals, "form": form, "may_refer": may_refer}
    return render(request, "resources/referrals_out.html", context, status=_status(form))


@login_required
def referral_out(request: HttpRequest, referral_id: int) -> HttpResponse:
    """One referral: its status, the client's consent to send records, and the sending."""
    user = _user(request)
    client_id = ReferralOut.objects.filter(pk=referral_id).values_list("client_id", flat=True)
    client = selectors.client_for_referrals(user, client_id.first() or 0)
    referral = selectors.get_referral(client, referral_id)
    may_refer = selectors.may_refer(user, client)
    zone = ZoneInfo(client.time_zone)
    status_form = StatusForm(initial={"status": referral.status})
    consent_form = DisclosureConsentForm()
    if request.method == "POST":
        if not may_refer:
            raise Http404
        action = request.POST.get("action", "")
        try:
            if action == "status":
                status_form = StatusForm(request.POST)
                if status_form.is_valid():
                    services.referral_out_status(
                        referral=referral, status=status_form.cleaned_data["status"], actor=user
                    )
                    messages.success(request, "Status saved.")
                    return redirect(request.path)
            elif action == "consent":
                consent_form = DisclosureConsentForm(request.POST)
                if consent_form.is_valid():
                    data = consent_form.cleaned_data
                    services.disclosure_consent_record(
                        referral=referral,
                        actor=user,
                        information=data["information"],
                        purpose=data["purpose"],
                        expires_at=consent_form.expires_at(zone),
                        signed_name=data["signed_name"],
                    )
                    messages.success(request, "The client's consent is recorded.")
                    return redirect(request.path)
            elif action == "send":
                services.disclosure_send(referral=referral, actor=user)
                messages.success(request, f"Records sent to {referral.provider_name}; recorded.")
                return redirect(request.path)
            else:
                raise Http404
        except ValidationError as error:
            target = consent_form if action == "consent" else status_form
            if action == "send":
                messages.error(request, " ".join(error.messages))
                return redirect(request.path)
            _add_errors(target, error)
    read_client_for_user(user, client.pk, object_type="referral_out", object_id=referral.pk)
    now = timezone.now()
    consents = list(referral.consents.order_by("-created_at", "-pk"))
    context = {
        "client": client,
        "referral": referral,
        "consents": consents,
        "has_active_consent": any(c.is_active(now) for c in consents),
        "disclosures": list(referral.disclosures.select_related("disclosed_by")),
        "status_form": status_form,
        "consent_form": consent_form,
        "may_refer": may_refer,
        "is_part2": selectors.is_part2(client.program),
    }
    bad = (status_form.is_bound and status_form.errors) or (
        consent_form.is_bound and consent_form.errors
    )
    return render(request, "resources/referral_out.html", context, status=400 if bad else 200)
