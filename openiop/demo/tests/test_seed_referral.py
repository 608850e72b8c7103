"""The demo referral: Taylor, with a generated PDF letter, created once."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from openiop.programs.models import ClientDocument, Referral
from openiop.programs.services.documents import document_path


@pytest.mark.django_db
def test_seed_demo_records_one_referral_with_a_pdf_letter(
    settings: Any, tmp_path: Path, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OPENIOP_DOCUMENT_ROOT = tmp_path / "documents"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", "--quiet", stdout=StringIO())
    referral = Referral.objects.get(enrollment__client__user__email="taylor@demo.openiop.test")
    assert referral.source == "inpatient_unit"
    assert "fictional" in referral.referring_provider.lower()
    assert referral.enrollment.phase == "referred"
    (document,) = ClientDocument.objects.filter(referral=referral)
    assert document.content_type == "application/pdf"
    content = document_path(document).read_bytes()
    assert content.startswith(b"%PDF-") and len(content) == document.size
    # The demo clinician took the referral, so Taylor is on their caseload.
    team = {m.user.email for m in referral.enrollment.client.care_team.all()}
    assert team == {"clinician@demo.openiop.test"}
    # One invite for Taylor, even over two runs (other demo mail, e.g. the demo alert's page
    # to the on-call clinician, goes to staff).
    assert [m.to for m in mailoutbox].count(["taylor@demo.openiop.test"]) == 1
