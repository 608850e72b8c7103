from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.lib.slots import badges_for
from openiop.programs import selectors, services
from openiop.programs.forms import BreakGlassForm
from openiop.programs.models import BreakGlassGrant
from openiop.programs.onboarding import onboarding_required

CASELOAD_PAGE_SIZE = 100


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's landing page: a client's own page, staff caseloads, compliance's audit."""
    user: User = request.user  # type: ignore[assignment]
    if user.role == Role.CLIENT:
        # First sign-in (or a consent re-published since): finish onboarding first.
        profile = selectors.clients_visible_to(user).first()
        if profile is not None and onboarding_required(profile):
            return redirect("onboarding:resume")
        return redirect("programs:my_record")
    if user.role == Role.COMPLIANCE:
        return redirect("audit:search")
    if user.role == Role.ADMIN:
        return render(request, "programs/admin_home.html")
    # A program's director sees thousands of clients: pages keep the list quick to render.
    page = Paginator(selectors.caseload(user), CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    clients = list(page.object_list)
    selectors.record_list_read(user, [c.pk for c in clients], object_type="caseload")
    # Columns from apps to the right (open alerts, engagement flags): see openiop.lib.slots.
    badges = badges_for(user, [c.pk for c in clients])
    for client in clients:
        client.badges = badges.get(client.pk, [])  # type: ignore[attr-defined]
    return render(request, "programs/caseload.html", {"clients": clients, "page": page})


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    profile = selectors.clients_visible_to(user).filter(user=user).first()
    if profile is None:
        return render(request, "programs/no_record.html")
    client = selectors.read_client_for_user(user, profile.pk)
    context = {"client": client, "onboarding_unfinished": onboarding_required(client)}
    return render(request, "programs/my_record.html", context)


@login_required
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    client = selectors.read_client_for_user(user, client_id)
    # The enrollment and care-team sections come from {% enrollment_panel %} in the template.
    return render(
        request,
        "programs/client_detail.html",
        {
            "client": client,
            "break_glass_reason": selectors.active_break_glass_reason(user, client),
        },
    )


@login_required
def break_glass(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.CLINICIAN:
        raise Http404
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.break_glass_open(user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if grant is not None:
                messages.warning(
                    request,
                    "Emergency access granted for one hour. "
                    "This access is recorded and will be reviewed.",
                )
                return redirect("programs:client_detail", client_id=grant.client_id)
            form.add_error(
                None,
                "No single client in your programs matches that last name and "
                "date of birth. The attempt has been recorded.",
            )
    return render(
        request, "programs/break_glass.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def break_glass_review(request: HttpRequest) -> HttpResponse:
    """Compliance's list of emergency accesses, unreviewed first, each to be reviewed."""
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.COMPLIANCE:
        raise Http404
    if request.method == "POST":
        grant_id = request.POST.get("grant", "")
        if not (grant_id.isascii() and grant_id.isdigit()):
            raise Http404
        grant = get_object_or_404(BreakGlassGrant, pk=int(grant_id))
        try:
            services.break_glass_review(
                grant=grant, reviewer=user, note=request.POST.get("note", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Review recorded.")
        return redirect("programs:break_glass_review")
    # Reasons can carry clinical detail, so reading the list is itself audited.
    with transaction.atomic():
        grants = list(
            BreakGlassGrant.objects.select_related("user", "reviewed_by").order_by(
                F("reviewed_at").asc(nulls_first=True), "-granted_at"
            )[:200]
        )
        audit_record(
            actor=user,
            action=Action.READ,
            object_type="break_glass_grant_list",
            object_id=len(grants),
        )
    return render(request, "programs/break_glass_review.html", {"grants": grants})
