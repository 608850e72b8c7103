"""The signed discharge summary as a PDF letter for the next provider.

It holds what the summary holds and nothing else from the record: psychotherapy notes, which
are kept apart from the medical record, never go into it.
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.lib.pdf import Document
from openiop.programs import selectors
from openiop.programs.models import DischargeReason, DischargeSummary, Enrollment


def render_discharge_pdf(summary: DischargeSummary) -> bytes:
    """The PDF bytes of a signed `summary`."""
    if summary.signed_at is None or summary.signed_by is None:
        raise ValueError("Only a signed discharge summary is rendered as a PDF.")
    enrollment = Enrollment.objects.select_related("client", "program", "track").get(
        pk=summary.enrollment_id
    )
    client, program = enrollment.client, enrollment.program
    facts = selectors.discharge_facts(enrollment)
    doc = Document(footer_text=f"{program.name} · discharge summary · confidential")
    doc.set_title("Discharge summary")
    doc.set_creator("OpenIOP")
    doc.add_page()
    doc.heading("Discharge summary", size=18)
    doc.paragraph(
        "Confidential health information, disclosed for continuity of care. "
        "Do not pass it on without the client's consent or another legal basis.",
        size=9,
    )
    doc.ln(3)
    name = f"{client.first_name} {client.last_name}"
    if client.preferred_name and client.preferred_name != client.first_name:
        name += f" (goes by {client.preferred_name})"
    doc.fact("Client", name)
    doc.fact("Date of birth", _day(client.date_of_birth))
    doc.fact("Program", facts.program_name)
    doc.fact("Level of care", facts.level_of_care)
    doc.fact("Track", facts.track_name or "—")
    doc.fact("Admission date", _day(summary.admission_date))
    doc.fact("Discharge date", _day(summary.discharge_date))
    doc.fact("Reason for discharge", _reason(summary.reason))
    hours = f"{summary.attended_hours}"
    if not selectors.attendance_recorded():
        hours += " (attendance is not recorded in OpenIOP yet)"
    doc.fact("Attended hours", hours)
    if program.on_call_phone:
        doc.fact("Program phone", program.on_call_phone)
    doc.section("Course of treatment and progress", summary.progress)
    doc.section("Change in outcome measures", facts.measure_change)
    doc.section("Recommendations", summary.recommendations)
    doc.section("Aftercare appointments", summary.aftercare_appointments)
    doc.section("Aftercare referrals", summary.aftercare_referrals)
    doc.ln(4)
    signed_at = timezone.localtime(summary.signed_at, ZoneInfo(program.time_zone))
    doc.fact("Signed by", str(summary.signed_by))
    doc.fact("Signed at", f"{signed_at:%Y-%m-%d %H:%M} ({program.time_zone})")
    return doc.to_bytes()


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "not recorded"


def _reason(value: str) -> str:
    return DischargeReason(value).label if value in DischargeReason.values else "not recorded"
