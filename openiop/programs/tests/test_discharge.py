"""Discharge (issue #3): the summary drafted with its facts, signed once with the discharge
itself, locked, exported as a PDF for the next provider and audited as a disclosure."""

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from unittest import mock

import pypdf
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import Action, AuditEvent
from openiop.audit.services import iter_chain_breaks
from openiop.conftest import World
from openiop.lib.pdf import Document
from openiop.programs import selectors
from openiop.programs.discharge_pdf import render_discharge_pdf
from openiop.programs.models import (
    Client,
    DischargeReason,
    DischargeSummary,
    Enrollment,
    EnrollmentTransition,
    Phase,
    Track,
)
from openiop.programs.services import (
    TransitionNotAllowed,
    care_team_add,
    client_create,
    enrollment_open,
    enrollment_transition,
)
from openiop.programs.services.discharge import (
    DischargeRefused,
    discharge_summary_draft,
    discharge_summary_export,
    discharge_summary_sign,
)

LoginAs = Callable[[User], HttpClient]

# America/Chicago (Maple's zone) went to daylight time on 9 March 2025: 04:30 UTC on the 10th
# is 23:30 on the 9th there (CDT, UTC-5), and 03:00 UTC on 2 April is 22:00 on 1 April.
ADMITTED_UTC = datetime(2025, 3, 10, 4, 30, tzinfo=UTC)
DRAFTED_UTC = datetime(2025, 4, 2, 3, 0, tzinfo=UTC)
SIGNED_UTC = datetime(2025, 4, 3, 4, 45, tzinfo=UTC)  # 23:45 on 2 April in Chicago

GOOD_TEXT = {
    "reason": DischargeReason.COMPLETED,
    "progress": "Attended groups steadily; uses the coping plan.",
    "recommendations": "Weekly individual therapy; keep the safety plan at hand.",
    "aftercare_appointments": "Dr. Rivera, Lakeview Clinic, 10 April 10:00",
    "aftercare_referrals": "Peer support group, Tuesdays",
}


@pytest.fixture
def track(world: World) -> Track:
    return Track.objects.create(
        program=world.program, name="Adult mood — evenings", schedule_label="evening"
    )


def activate(world: World, client: Client, track: Track) -> Enrollment:
    enrollment = enrollment_open(client=client, program=client.program, actor=world.dale)
    enrollment.track = track
    enrollment.save(update_fields=["track"])
    enrollment_transition(enrollment=enrollment, to_phase="intake", reason="", actor=world.dale)
    enrollment_transition(
        enrollment=enrollment, to_phase="active", reason="admitted", actor=world.casey
    )
    enrollment.refresh_from_db()
    return enrollment


@pytest.fixture
def enrollment(world: World, track: Track) -> Enrollment:
    """Alex, admitted at ADMITTED_UTC."""
    with time_machine.travel(ADMITTED_UTC, tick=False):
        return activate(world, world.alex, track)


@pytest.fixture
def draft(world: World, enrollment: Enrollment) -> DischargeSummary:
    with time_machine.travel(DRAFTED_UTC, tick=False):
        return discharge_summary_draft(enrollment=enrollment, actor=world.casey, **GOOD_TEXT)


@pytest.fixture
def signed(world: World, draft: DischargeSummary) -> DischargeSummary:
    with time_machine.travel(SIGNED_UTC, tick=False):
        return discharge_summary_sign(summary=draft, actor=world.casey)


def events(action: str, object_type: str = "discharge_summary") -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type=object_type))


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


# --- draft ---------------------------------------------------------------------------------


def test_draft_prefills_facts_in_the_program_time_zone(
    world: World, enrollment: Enrollment, draft: DischargeSummary
) -> None:
    draft.refresh_from_db()
    # UTC dates would be 10 March and 2 April; the program's zone says the 9th and the 1st.
    assert draft.admission_date == date(2025, 3, 9)
    assert draft.discharge_date == date(2025, 4, 1)
    assert draft.attended_hours == Decimal(0)
    assert draft.created_by == world.casey
    assert not draft.is_signed
    assert draft.recommendations == GOOD_TEXT["recommendations"]
    with time_machine.travel(DRAFTED_UTC, tick=False):
        facts = selectors.discharge_facts(enrollment)
    assert facts.track_name == "Adult mood — evenings"
    assert facts.level_of_care == "Intensive outpatient (adults)"
    assert facts.care_team == [
        ("Casey Primary", "Primary clinician"),
        ("Fran Facilitator", "Group facilitator"),
    ]
    assert facts.measure_change == selectors.MEASURE_CHANGE_PLACEHOLDER
    assert selectors.attended_hours_for(enrollment) == Decimal(0)
    [created] = events(Action.CREATE)
    assert (created.actor, created.client_id) == (world.casey, world.alex.pk)


def test_draft_update_keeps_fields_not_passed_and_moves_the_discharge_date(
    world: World, enrollment: Enrollment, draft: DischargeSummary
) -> None:
    with time_machine.travel(datetime(2025, 4, 5, 12, 0, tzinfo=UTC), tick=False):
        discharge_summary_draft(enrollment=enrollment, actor=world.casey, progress="  Better.  ")
    draft.refresh_from_db()
    assert draft.progress == "Better."
    assert draft.recommendations == GOOD_TEXT["recommendations"]
    assert draft.discharge_date == date(2025, 4, 5)
    assert DischargeSummary.objects.count() == 1
    assert len(events(Action.UPDATE)) == 1


def test_draft_may_be_saved_without_a_reason(world: World, enrollment: Enrollment) -> None:
    summary = discharge_summary_draft(enrollment=enrollment, actor=world.casey, progress="x")
    assert summary.reason == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reason": "bored"}, "reason"),
        ({"recommendations": "x" * 20_001}, "recommendations"),
    ],
)
def test_draft_refuses_bad_fields_and_writes_nothing(
    world: World, enrollment: Enrollment, fields: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        discharge_summary_draft(enrollment=enrollment, actor=world.casey, **fields)
    assert field in error.value.message_dict
    assert not DischargeSummary.objects.exists()
    assert events(Action.CREATE) == []


def test_draft_refuses_an_enrollment_that_is_not_active(world: World) -> None:
    enrollment = enrollment_open(client=world.alex, program=world.program, actor=world.dale)
    with pytest.raises(DischargeRefused, match="only an active or step-down"):
        discharge_summary_draft(enrollment=enrollment, actor=world.casey, **GOOD_TEXT)
    assert not DischargeSummary.objects.exists()


def test_draft_from_step_down_is_allowed(world: World, enrollment: Enrollment) -> None:
    enrollment_transition(enrollment=enrollment, to_phase="step_down", reason="", actor=None)
    summary = discharge_summary_draft(enrollment=enrollment, actor=world.casey, **GOOD_TEXT)
    assert summary.pk is not None


@pytest.mark.parametrize("who", ["fran", "quinn", "dale", "birch_clinician"])
def test_only_a_care_team_clinician_may_draft(
    world: World, enrollment: Enrollment, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        discharge_summary_draft(enrollment=enrollment, actor=getattr(world, who), **GOOD_TEXT)
    assert not DischargeSummary.objects.exists()


def test_a_second_clinician_on_the_team_may_draft_and_sign(
    world: World, enrollment: Enrollment
) -> None:
    care_team_add(client=world.alex, user=world.quinn, role="clinician", actor=world.dale)
    summary = discharge_summary_draft(enrollment=enrollment, actor=world.quinn, **GOOD_TEXT)
    discharge_summary_sign(summary=summary, actor=world.quinn)
    summary.refresh_from_db()
    assert summary.signed_by == world.quinn


# --- sign ----------------------------------------------------------------------------------


def test_signing_discharges_the_enrollment_with_the_reason_label(
    world: World, enrollment: Enrollment, signed: DischargeSummary
) -> None:
    signed.refresh_from_db()
    enrollment.refresh_from_db()
    assert enrollment.phase == Phase.DISCHARGED
    assert enrollment.discharged_at == SIGNED_UTC
    assert (signed.signed_by, signed.signed_at) == (world.casey, SIGNED_UTC)
    # The discharge date is the day of signing in Chicago, not the draft's day nor UTC's.
    assert signed.discharge_date == date(2025, 4, 2)
    last = EnrollmentTransition.objects.filter(enrollment=enrollment).last()
    assert last is not None
    assert (last.from_phase, last.to_phase) == (Phase.ACTIVE, Phase.DISCHARGED)
    assert (last.reason, last.actor) == ("Completed the program", world.casey)
    [signing] = [e for e in events(Action.UPDATE) if e.reason == "signed"]
    assert (signing.actor, signing.client_id) == (world.casey, world.alex.pk)
    assert events(Action.UPDATE, "enrollment")[-1].seq == signing.seq - 1
    assert list(iter_chain_breaks()) == []


def test_when_the_transition_is_refused_nothing_is_signed(
    world: World, enrollment: Enrollment, draft: DischargeSummary
) -> None:
    refusal = TransitionNotAllowed("refused for the test")
    with (
        mock.patch(
            "openiop.programs.services.discharge.enrollment_transition", side_effect=refusal
        ),
        pytest.raises(TransitionNotAllowed),
    ):
        discharge_summary_sign(summary=draft, actor=world.casey)
    draft.refresh_from_db()
    enrollment.refresh_from_db()
    assert not draft.is_signed and draft.signed_by is None
    assert enrollment.phase == Phase.ACTIVE


def test_a_failure_after_the_transition_undoes_the_discharge(
    world: World, enrollment: Enrollment, draft: DischargeSummary
) -> None:
    """Signing and discharging share one transaction: the phase move rolls back too."""
    transitions_before = EnrollmentTransition.objects.count()
    events_before = AuditEvent.objects.count()
    with (
        mock.patch(
            "openiop.programs.services.discharge.audit_record", side_effect=RuntimeError("disk")
        ),
        pytest.raises(RuntimeError),
    ):
        discharge_summary_sign(summary=draft, actor=world.casey)
    enrollment.refresh_from_db()
    draft.refresh_from_db()
    assert enrollment.phase == Phase.ACTIVE and enrollment.discharged_at is None
    assert not draft.is_signed
    assert EnrollmentTransition.objects.count() == transitions_before
    assert AuditEvent.objects.count() == events_before


def test_signed_summary_is_locked(
    world: World, enrollment: Enrollment, signed: DischargeSummary
) -> None:
    with pytest.raises(DischargeRefused, match="locked"):
        discharge_summary_draft(enrollment=enrollment, actor=world.casey, progress="changed")
    signed.refresh_from_db()
    assert signed.progress == GOOD_TEXT["progress"]


def test_signing_twice_is_refused(world: World, signed: DischargeSummary) -> None:
    with pytest.raises(DischargeRefused, match="already signed"):
        discharge_summary_sign(summary=signed, actor=world.casey)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({**GOOD_TEXT, "reason": ""}, "reason"),
        (
            {
                **GOOD_TEXT,
                "recommendations": " ",
                "aftercare_appointments": "",
                "aftercare_referrals": "",
            },
            "recommendations",
        ),
    ],
)
def test_signing_needs_a_reason_and_recommendations_or_aftercare(
    world: World, enrollment: Enrollment, fields: dict[str, str], field: str
) -> None:
    summary = discharge_summary_draft(enrollment=enrollment, actor=world.casey, **fields)
    with pytest.raises(ValidationError) as error:
        discharge_summary_sign(summary=summary, actor=world.casey)
    assert list(error.value.message_dict) == [field]
    summary.refresh_from_db()
    enrollment.refresh_from_db()
    assert not summary.is_signed and enrollment.phase == Phase.ACTIVE


def test_aftercare_referrals_alone_are_enough_to_sign(world: World, enrollment: Enrollment) -> None:
    summary = discharge_summary_draft(
        enrollment=enrollment,
        actor=world.casey,
        reason=DischargeReason.HIGHER_LEVEL,
        aftercare_referrals="Inpatient unit, St. Example",
    )
    discharge_summary_sign(summary=summary, actor=world.casey)
    transition = EnrollmentTransition.objects.filter(enrollment=enrollment).last()
    assert transition is not None and transition.reason == "Moved to a higher level of care"


@pytest.mark.parametrize("who", ["fran", "quinn", "dale", "birch_clinician", "ada"])
def test_only_a_care_team_clinician_may_sign(
    world: World, enrollment: Enrollment, draft: DischargeSummary, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        discharge_summary_sign(summary=draft, actor=getattr(world, who))
    draft.refresh_from_db()
    enrollment.refresh_from_db()
    assert not draft.is_signed and enrollment.phase == Phase.ACTIVE


def test_a_client_discharged_elsewhere_can_still_get_a_signed_summary(
    world: World, enrollment: Enrollment
) -> None:
    with time_machine.travel(DRAFTED_UTC, tick=False):
        enrollment_transition(
            enrollment=enrollment, to_phase="discharged", reason="left", actor=world.casey
        )
    with time_machine.travel(SIGNED_UTC, tick=False):
        summary = discharge_summary_draft(
            enrollment=enrollment,
            actor=world.casey,
            reason=DischargeReason.AGAINST_ADVICE,
            recommendations="Re-refer when ready.",
        )
        discharge_summary_sign(summary=summary, actor=world.casey)
    summary.refresh_from_db()
    # The day the enrollment was discharged, not the day the summary was signed.
    assert summary.discharge_date == date(2025, 4, 1)
    assert EnrollmentTransition.objects.filter(to_phase="discharged").count() == 1


def test_discharged_enrollment_moves_on_to_aftercare(
    world: World, enrollment: Enrollment, signed: DischargeSummary
) -> None:
    enrollment_transition(
        enrollment=enrollment, to_phase="aftercare", reason="aftercare", actor=world.casey
    )
    enrollment.refresh_from_db()
    assert enrollment.phase == Phase.AFTERCARE


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_holds_the_summary_for_the_next_provider(
    world: World, signed: DischargeSummary
) -> None:
    data = render_discharge_pdf(signed)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in [
        "Alex Testperson",
        "2 January 1990",
        "Maple Test IOP",
        "Intensive outpatient (adults)",
        "Adult mood — evenings",
        "9 March 2025",
        "2 April 2025",
        "Completed the program",
        "Attended hours: 0.0",
        GOOD_TEXT["progress"],
        GOOD_TEXT["recommendations"],
        GOOD_TEXT["aftercare_appointments"],
        GOOD_TEXT["aftercare_referrals"],
        "Signed by: Casey Primary",
        "2025-04-02 23:45 (America/Chicago)",
    ]:
        assert expected in text, expected


def test_pdf_survives_names_and_text_beyond_latin_1(world: World, track: Track) -> None:
    zoe = client_create(
        program=world.program,
        email="zoe@example.test",
        first_name="Zoë Łucja",
        last_name="Nguyễn 李",
        date_of_birth=date(1995, 7, 8),
        time_zone="America/Chicago",
    )
    care_team_add(client=zoe, user=world.casey, role="primary", actor=None)
    enrollment = activate(world, zoe, track)
    summary = discharge_summary_draft(
        enrollment=enrollment,
        actor=world.casey,
        reason=DischargeReason.OTHER,
        progress="Стабильно. مرحبا. 🙂 Tabs\tand\x0bcontrols.",
        recommendations="Follow-up “soon” — ≥ weekly.",
    )
    data = render_discharge_pdf(discharge_summary_sign(summary=summary, actor=world.casey))
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Zoë Łucja Nguyễn" in text
    assert "Стабильно" in text


def test_pdf_falls_back_to_a_core_font_without_crashing() -> None:
    doc = Document(font_dir=None)
    assert not doc.is_unicode
    assert doc.clean("Zoë Łucja Nguyễn 李 “q” —\t\x00x") == "Zoë ?ucja Nguyen ? “q” — x"
    doc.add_page()
    doc.fact("Client", "Łucja 李 🙂")
    doc.section("Text", "Стабильно")
    assert doc.to_bytes().startswith(b"%PDF")


def test_only_a_signed_summary_is_rendered_or_exported(
    world: World, draft: DischargeSummary
) -> None:
    with pytest.raises(ValueError, match="signed"):
        render_discharge_pdf(draft)
    with pytest.raises(DischargeRefused, match="Sign it first"):
        discharge_summary_export(summary=draft, actor=world.casey)
    assert events(Action.EXPORT) == []


def test_export_service_refuses_someone_who_may_not_see_it(
    world: World, signed: DischargeSummary
) -> None:
    with pytest.raises(PermissionDenied):
        discharge_summary_export(summary=signed, actor=world.quinn)
    assert events(Action.EXPORT) == []


# --- pages ---------------------------------------------------------------------------------


def url(name: str, client: Client) -> str:
    return reverse(f"programs:{name}", kwargs={"client_id": client.pk})


def test_client_page_links_to_discharge_for_the_care_team(
    world: World, enrollment: Enrollment, login_as: LoginAs
) -> None:
    page = login_as(world.casey).get(url("client_detail", world.alex))
    assert f'href="{url("discharge", world.alex)}">Discharge<' in page.content.decode()


def test_client_page_has_no_discharge_link_without_an_active_enrollment(
    world: World, login_as: LoginAs
) -> None:
    page = login_as(world.casey).get(url("client_detail", world.alex))
    assert url("discharge", world.alex) not in page.content.decode()


def test_discharge_page_flow_draft_confirm_sign_then_read_only(
    world: World, enrollment: Enrollment, login_as: LoginAs
) -> None:
    http = login_as(world.casey)
    page = http.get(url("discharge", world.alex))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="reason"' in html and "Save draft" in html and "Sign and discharge" in html
    assert "Adult mood — evenings" in html and "Casey Primary (Primary clinician)" in html
    saved = http.post(url("discharge", world.alex), {**GOOD_TEXT, "save": ""})
    assert saved.status_code == 302 and saved["Location"] == url("discharge", world.alex)
    review = http.post(url("discharge", world.alex), {**GOOD_TEXT, "review": ""})
    assert review["Location"] == url("discharge_sign", world.alex)
    confirm = http.get(url("discharge_sign", world.alex))
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.content.decode()
    unconfirmed = http.post(url("discharge_sign", world.alex), {})
    assert unconfirmed.status_code == 400 and 'role="alert"' in unconfirmed.content.decode()
    assert not DischargeSummary.objects.get().is_signed
    done = http.post(url("discharge_sign", world.alex), {"confirm": "on"})
    assert done.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.phase == Phase.DISCHARGED
    assert DischargeSummary.objects.get().is_signed
    shown = http.get(url("discharge", world.alex)).content.decode()
    assert "Download PDF for the next provider" in shown and 'name="recipient"' in shown
    assert 'name="progress"' not in shown  # read-only now
    after = http.post(url("discharge_aftercare", world.alex))
    assert after.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.phase == Phase.AFTERCARE
    link = http.get(url("client_detail", world.alex)).content.decode()
    assert f'href="{url("discharge", world.alex)}">Discharge summary<' in link


def test_posting_to_a_signed_summary_is_refused_with_409(
    world: World, signed: DischargeSummary, login_as: LoginAs
) -> None:
    http = login_as(world.casey)
    edit = http.post(url("discharge", world.alex), {**GOOD_TEXT, "progress": "changed"})
    assert edit.status_code == 409 and "locked" in edit.content.decode()
    again = http.post(url("discharge_sign", world.alex), {"confirm": "on"})
    assert again.status_code == 409 and "already signed" in again.content.decode()
    signed.refresh_from_db()
    assert signed.progress == GOOD_TEXT["progress"]


def test_sign_page_lists_what_is_missing(
    world: World, enrollment: Enrollment, login_as: LoginAs
) -> None:
    discharge_summary_draft(enrollment=enrollment, actor=world.casey, progress="Some.")
    http = login_as(world.casey)
    page = http.get(url("discharge_sign", world.alex)).content.decode()
    assert 'role="alert"' in page and "Choose the reason for discharge." in page
    refused = http.post(url("discharge_sign", world.alex), {"confirm": "on"})
    assert refused.status_code == 400
    enrollment.refresh_from_db()
    assert enrollment.phase == Phase.ACTIVE


def test_bad_reason_in_the_form_is_shown_as_an_alert(
    world: World, enrollment: Enrollment, login_as: LoginAs
) -> None:
    answer = login_as(world.casey).post(url("discharge", world.alex), {"reason": "bored"})
    assert answer.status_code == 400
    assert 'role="alert"' in answer.content.decode()
    assert not DischargeSummary.objects.exists()


def test_discharge_page_without_an_enrollment_is_409(world: World, login_as: LoginAs) -> None:
    answer = login_as(world.casey).get(url("discharge", world.alex))
    assert answer.status_code == 409
    assert "no active or step-down enrollment" in answer.content.decode()


@pytest.mark.parametrize("who", ["fran", "dale"])
def test_facilitator_and_director_read_but_cannot_write(
    world: World, draft: DischargeSummary, login_as: LoginAs, who: str
) -> None:
    http = login_as(getattr(world, who))
    page = http.get(url("discharge", world.alex))
    assert page.status_code == 200
    assert "Draft, not signed yet" in page.content.decode()
    assert 'name="progress"' not in page.content.decode()
    assert http.post(url("discharge", world.alex), GOOD_TEXT).status_code == 404
    assert http.get(url("discharge_sign", world.alex)).status_code == 404
    assert http.post(url("discharge_sign", world.alex), {"confirm": "on"}).status_code == 404
    draft.refresh_from_db()
    assert not draft.is_signed


OUTSIDERS = ["quinn", "gale", "birch_director", "birch_clinician", "cora", "ada", "fay"]


@pytest.mark.parametrize("who", [*OUTSIDERS, "alex", "blair"])
def test_discharge_pages_are_404_for_everyone_else(
    world: World, signed: DischargeSummary, login_as: LoginAs, who: str
) -> None:
    person = getattr(world, who)
    http = login_as(person.user if isinstance(person, Client) else person)
    assert http.get(url("discharge", world.alex)).status_code == 404
    assert http.get(url("discharge_sign", world.alex)).status_code == 404
    assert http.post(url("discharge_pdf", world.alex), {"recipient": "x"}).status_code == 404
    assert http.post(url("discharge_aftercare", world.alex)).status_code == 404
    assert events(Action.EXPORT) == []
    assert events(Action.READ) == []


def test_unknown_client_is_404(world: World, login_as: LoginAs) -> None:
    http = login_as(world.casey)
    assert http.post("/clients/999999/discharge/pdf/").status_code == 404


def test_pdf_download_is_an_attachment_audited_once_per_download(
    world: World, signed: DischargeSummary, login_as: LoginAs
) -> None:
    http = login_as(world.casey)
    path = url("discharge_pdf", world.alex)
    first = http.post(path, {"recipient": "  Dr. Rivera,   Lakeview Clinic "})
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == (
        f'attachment; filename="discharge-summary-{world.alex.pk}-2025-04-02.pdf"'
    )
    assert "no-store" in first["Cache-Control"]
    assert first.content.startswith(b"%PDF")
    assert "Alex Testperson" in pdf_text(first.content)
    second = http.post(path, {})
    assert second.status_code == 200
    exports = events(Action.EXPORT)
    assert [e.reason for e in exports] == ["Dr. Rivera, Lakeview Clinic", ""]
    assert {(e.actor, e.client_id, e.object_id) for e in exports} == {
        (world.casey, world.alex.pk, str(signed.pk))
    }


@pytest.mark.parametrize("who", ["fran", "dale"])
def test_facilitator_and_director_may_download_for_the_next_provider(
    world: World, signed: DischargeSummary, login_as: LoginAs, who: str
) -> None:
    answer = login_as(getattr(world, who)).post(url("discharge_pdf", world.alex))
    assert answer.status_code == 200
    assert len(events(Action.EXPORT)) == 1


def test_pdf_of_an_unsigned_summary_is_409(
    world: World, draft: DischargeSummary, login_as: LoginAs
) -> None:
    answer = login_as(world.casey).post(url("discharge_pdf", world.alex))
    assert answer.status_code == 409
    assert "Only a signed discharge summary can be exported" in answer.content.decode()
    assert events(Action.EXPORT) == []


def test_pdf_download_needs_post(world: World, signed: DischargeSummary, login_as: LoginAs) -> None:
    assert login_as(world.casey).get(url("discharge_pdf", world.alex)).status_code == 405
    assert events(Action.EXPORT) == []


def test_too_long_recipient_is_refused_without_export(
    world: World, signed: DischargeSummary, login_as: LoginAs
) -> None:
    answer = login_as(world.casey).post(url("discharge_pdf", world.alex), {"recipient": "x" * 201})
    assert answer.status_code == 400 and 'role="alert"' in answer.content.decode()
    assert events(Action.EXPORT) == []


def test_reading_the_discharge_page_is_audited(
    world: World, signed: DischargeSummary, login_as: LoginAs
) -> None:
    login_as(world.dale).get(url("discharge", world.alex))
    [read] = events(Action.READ)
    assert (read.actor, read.client_id, read.object_id) == (
        world.dale,
        world.alex.pk,
        str(signed.pk),
    )


def test_reading_the_sign_page_is_audited(
    world: World, draft: DischargeSummary, login_as: LoginAs
) -> None:
    page = login_as(world.casey).get(url("discharge_sign", world.alex))
    assert GOOD_TEXT["recommendations"] in page.content.decode()
    [read] = events(Action.READ)
    assert (read.actor, read.client_id, read.object_id) == (
        world.casey,
        world.alex.pk,
        str(draft.pk),
    )


# --- demo ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_has_one_discharged_client_with_a_signed_summary() -> None:
    call_command("seed_demo", "--quiet", stdout=StringIO())
    call_command("seed_demo", "--quiet", stdout=StringIO())
    [summary] = DischargeSummary.objects.select_related("enrollment")
    assert summary.is_signed
    assert summary.enrollment.phase == Phase.DISCHARGED
    assert render_discharge_pdf(summary).startswith(b"%PDF")
    assert list(iter_chain_breaks()) == []


def test_attended_hours_come_from_the_registered_attendance_sum() -> None:
    # Scheduling registers its sum at start-up (SchedulingConfig.ready); programs never
    # imports it.
    from openiop.programs import selectors
    from openiop.scheduling.hours import enrollment_attended_hours

    assert selectors.attendance_recorded()
    assert selectors._attended_hours_source is enrollment_attended_hours
