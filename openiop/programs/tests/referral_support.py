"""Shared by the referral, document and invite tests: sample files, a referral, a snapshot."""

import io
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF
from PIL import Image

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.models import (
    CareTeamMember,
    Client,
    ClientDocument,
    Enrollment,
    EnrollmentTransition,
    Referral,
)
from openiop.programs.services.referrals import referral_create

REASON = "Step-down after a 5-day inpatient stay for a depressive episode"
PROVIDER = "Dr. Rowan Example, Lakeview Inpatient Unit (fictional)"


def pdf_bytes(text: str = "Referral letter (fictional)") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def image_bytes(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def files_on_disk() -> list[Path]:
    root = Path(settings.OPENIOP_DOCUMENT_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot() -> dict[str, Any]:
    """Everything a referral writes, to compare before and after a refusal."""
    return {
        "users": User.objects.count(),
        "clients": Client.objects.count(),
        "enrollments": Enrollment.objects.count(),
        "transitions": EnrollmentTransition.objects.count(),
        "referrals": Referral.objects.count(),
        "documents": ClientDocument.objects.count(),
        "care_team": CareTeamMember.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "files": files_on_disk(),
        "mail": len(mail.outbox),
    }


def referral_fields(world: World, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "program": world.program,
        "first_name": "Robin",
        "last_name": "Newperson",
        "date_of_birth": date(1994, 4, 4),
        "email": "robin@example.test",
        "phone": "(312) 555-0123",
        "time_zone": "America/Chicago",
        "source": "inpatient_unit",
        "referring_provider": PROVIDER,
        "referring_contact": "+1 312 555 0199",
        "reason": REASON,
        "documents": [],
        "actor": world.casey,
    }
    fields.update(overrides)
    return fields


def make_referral(world: World, **overrides: Any) -> Referral:
    return referral_create(**referral_fields(world, **overrides))


def form_data(world: World, **overrides: Any) -> dict[str, Any]:
    """The referral form as a browser posts it."""
    data: dict[str, Any] = {
        "program": str(world.program.pk),
        "first_name": "Robin",
        "last_name": "Newperson",
        "date_of_birth": "1994-04-04",
        "email": "robin@example.test",
        "phone": "(312) 555-0123",
        "time_zone": "America/Chicago",
        "source": "inpatient_unit",
        "referring_provider": PROVIDER,
        "referring_contact": "+1 312 555 0199",
        "reason": REASON,
    }
    data.update(overrides)
    return data
