"""Demo referral: Taylor, referred from an inpatient unit with a letter, not yet signed in.

Called by `seed_demo`; safe to run again (skipped once Taylor exists). The letter is a PDF
made here with fpdf2, so no binary file lives in the repository. Taylor's invitation email
goes to the local mail sink like any other, and the demo clinician who took the referral sees
Taylor (and the letter) on their caseload.
"""

from datetime import date

from django.core.files.base import ContentFile
from fpdf import FPDF

from openiop.accounts.models import User
from openiop.programs.models import Client, Program, Referral
from openiop.programs.services.referrals import referral_create

EMAIL = "taylor@demo.openiop.test"
PROGRAM = "riverbend-demo"
RECORDED_BY = "clinician@demo.openiop.test"
PROVIDER = "Dr. Jamie Fictional, Brookside Inpatient Unit (demo)"
PROVIDER_CONTACT = "+1 312 555 0177 (fictional)"
REASON = (
    "Stepping down after a short inpatient stay; referred for evening IOP. "
    "Demo text: every name here is fictional."
)


def referral_letter_pdf() -> bytes:
    """A one-page referral letter, plainly marked as fictional."""
    pdf = FPDF(format="Letter")
    pdf.set_title("Referral letter (demo)")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.cell(text="Brookside Inpatient Unit (fictional)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.ln(4)
    for line in (
        "Referral to: Riverbend Virtual IOP (demo)",
        "Client: Taylor Referral-Demo, born 1992-02-02",
        f"Referring provider: {PROVIDER}",
        f"Contact: {PROVIDER_CONTACT}",
        "",
        "Reason: step-down from inpatient care to an intensive outpatient program.",
        "Medications and discharge plan: see the unit's summary (not included in the demo).",
        "",
        "DEMO DOCUMENT - every person and place named here is fictional.",
    ):
        if line:
            pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(5)
    return bytes(pdf.output())


def seed_referral() -> Referral | None:
    if Client.objects.filter(user__email=EMAIL).exists():
        return None
    letter = ContentFile(referral_letter_pdf(), name="Brookside referral letter.pdf")
    return referral_create(
        program=Program.objects.get(slug=PROGRAM),
        first_name="Taylor",
        last_name="Referral-Demo",
        date_of_birth=date(1992, 2, 2),
        email=EMAIL,
        phone="+1 312 555 0123",
        time_zone="America/Chicago",
        source="inpatient_unit",
        referring_provider=PROVIDER,
        referring_contact=PROVIDER_CONTACT,
        reason=REASON,
        documents=[letter],
        actor=User.objects.get(email=RECORDED_BY),
    )
