"""Client documents: what is accepted, where it is stored, who may download it.

Accepted: PDF, PNG and JPEG, recognised by their first bytes, at most 10 MB. Anything else is
refused with a message saying what to fix, and nothing is written: no client, no row, no
file, no audit event. Downloads are attachments with nosniff, one audit event each, for the
care team and the program's directors only; everyone else gets the same 404 as a missing id.
"""

import os
import re
import stat
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client as HttpClient
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World
from openiop.programs.models import BreakGlassGrant, ClientDocument
from openiop.programs.services import documents as document_services
from openiop.programs.services.documents import document_add, document_path
from openiop.programs.tests.referral_support import (
    files_on_disk,
    form_data,
    image_bytes,
    make_referral,
    pdf_bytes,
    snapshot,
    upload,
)

MB = 1024 * 1024
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

REFUSED = {
    # name, bytes, what the browser claims, words in the message
    "exe": ("setup.exe", EXE, "application/x-msdownload", "not a PDF, PNG or JPEG"),
    "exe named pdf": ("referral.pdf", EXE, "application/pdf", "not a PDF, PNG or JPEG"),
    "elf": ("scan.jpg", ELF, "image/jpeg", "not a PDF, PNG or JPEG"),
    "script": ("notes.pdf", SCRIPT, "application/pdf", "not a PDF, PNG or JPEG"),
    "html": ("letter.pdf", HTML, "application/pdf", "not a PDF, PNG or JPEG"),
    "svg": ("chart.png", SVG, "image/png", "not a PDF, PNG or JPEG"),
    "empty": ("blank.pdf", b"", "application/pdf", "is empty"),
    "50 MB": ("huge.pdf", b"%PDF-1.7\n" + b"0" * (50 * MB), "application/pdf", "at most 10.0 MB"),
    "just over": (
        "big.pdf",
        b"%PDF-1.7\n" + b"0" * (10 * MB),
        "application/pdf",
        "at most 10.0 MB",
    ),
}
ALLOWED = ["casey", "fran", "dale"]
DENIED = ["quinn", "gale", "birch_director", "birch_clinician", "cora", "ada", "fay", "blair"]


@pytest.fixture(autouse=True)
def _documents(settings: Any, tmp_path: Path) -> None:
    settings.OPENIOP_DOCUMENT_ROOT = tmp_path / "documents"


def _without_csrf(body: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())


def _persona(world: World, name: str) -> User:
    if name in ("alex", "blair"):
        return getattr(world, name).user
    return getattr(world, name)


@pytest.fixture
def alex_document(world: World, django_capture_on_commit_callbacks: Any) -> ClientDocument:
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = document_add(
            client=world.alex,
            uploads=[upload("discharge letter.pdf", pdf_bytes("Alex letter"))],
            actor=world.casey,
        )
    return document


# What is accepted, and how it is stored -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("letter.pdf", pdf_bytes(), "application/pdf"),
        ("photo.png", image_bytes("PNG"), "image/png"),
        ("photo.jpg", image_bytes("JPEG"), "image/jpeg"),
        # The contents decide, not the name or the type the browser sent.
        ("scan.pdf", image_bytes("PNG"), "image/png"),
        ("no-extension", pdf_bytes(), "application/pdf"),
    ],
)
def test_pdf_png_and_jpeg_are_recognised_by_their_first_bytes(
    world: World, django_capture_on_commit_callbacks: Any, name: str, content: bytes, expected: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = document_add(
            client=world.alex,
            uploads=[upload(name, content, "application/octet-stream")],
            actor=world.casey,
        )
    assert document.content_type == expected
    assert document.size == len(content)
    path = document_path(document)
    assert path.read_bytes() == content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0  # no group/other access
    # A random storage name, nothing of the original name or the client's.
    assert name not in path.name and "alex" not in path.name.lower()
    assert len(document.storage_name) == 40
    assert files_on_disk() == [path]


def test_the_document_root_is_outside_the_web_root() -> None:
    root = Path(django_settings.OPENIOP_DOCUMENT_ROOT).resolve()
    # STATICFILES_DIRS entries are paths or (prefix, path) pairs (janus.js from Debian).
    dirs = [
        entry[1] if isinstance(entry, tuple) else entry
        for entry in django_settings.STATICFILES_DIRS
    ]
    for served in (Path(django_settings.STATIC_ROOT), *map(Path, dirs)):
        assert not root.is_relative_to(served.resolve())


def test_the_default_document_root_is_under_var() -> None:
    from openiop import settings as project_settings

    assert project_settings.OPENIOP_DOCUMENT_ROOT == project_settings.VAR_DIR / "documents"
    assert project_settings.OPENIOP_DOCUMENT_MAX_BYTES == 10 * MB


# Refusals change nothing --------------------------------------------------------------------


@pytest.mark.parametrize("kind", REFUSED)
def test_a_refused_file_on_the_referral_form_writes_nothing(
    world: World, login_as: Callable[[User], HttpClient], kind: str
) -> None:
    name, content, claimed, message = REFUSED[kind]
    http = login_as(world.casey)
    before = snapshot()
    response = http.post(
        "/referrals/new/", form_data(world, documents=[upload(name, content, claimed)])
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    assert message in body and name in body
    assert snapshot() == before


@pytest.mark.parametrize("kind", REFUSED)
def test_a_refused_file_in_the_service_writes_nothing(world: World, kind: str) -> None:
    name, content, _claimed, message = REFUSED[kind]
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        make_referral(world, documents=[upload("ok.pdf", pdf_bytes()), upload(name, content)])
    assert message in " ".join(refused.value.message_dict["documents"])
    assert snapshot() == before


def test_one_bad_file_among_good_ones_refuses_them_all_and_names_each_problem(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    before = snapshot()
    response = login_as(world.casey).post(
        f"/clients/{world.alex.pk}/documents/",
        {
            "documents": [
                upload("good.pdf", pdf_bytes()),
                upload("setup.exe", EXE),
                upload("page.html", HTML, "text/html"),
            ]
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "setup.exe" in body and "page.html" in body and 'role="alert"' in body
    assert snapshot() == before


def test_too_many_files_at_once_are_refused(world: World) -> None:
    before = snapshot()
    with pytest.raises(ValidationError, match="at most 10 files"):
        document_add(
            client=world.alex,
            uploads=[upload(f"{i}.pdf", pdf_bytes()) for i in range(11)],
            actor=world.casey,
        )
    assert snapshot() == before


def test_a_failure_after_the_files_are_written_removes_them(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot()

    def broken_audit(**kwargs: Any) -> None:
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(document_services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        make_referral(world, documents=[upload("a.pdf", pdf_bytes())])
    assert snapshot() == before


def test_an_outer_rollback_publishes_nothing_and_the_leftover_is_swept(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        make_referral(world, documents=[upload("a.pdf", pdf_bytes())])
        raise RuntimeError("the caller rolls back")
    root = Path(django_settings.OPENIOP_DOCUMENT_ROOT)
    # Nothing reached the document root itself; what is left waits in .pending/.
    leftovers = files_on_disk()
    assert leftovers and all(p.parent.name == ".pending" for p in leftovers)
    assert not ClientDocument.objects.exists()
    # An hour later the next upload sweeps it away.
    old = time.time() - 2 * 3600
    for path in leftovers:
        os.utime(path, (old, old))
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = document_add(
            client=world.alex, uploads=[upload("b.pdf", pdf_bytes())], actor=world.casey
        )
    assert files_on_disk() == [root / document.storage_name]


# Downloads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALLOWED)
def test_the_care_team_and_director_download_with_one_audit_event_each(
    world: World, login_as: Callable[[User], HttpClient], alex_document: ClientDocument, name: str
) -> None:
    user = _persona(world, name)
    http = login_as(user)
    url = f"/clients/{world.alex.pk}/documents/{alex_document.pk}/"
    for expected_events in (1, 2):
        response = http.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="discharge letter.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == document_path(alex_document).read_bytes()  # type: ignore[attr-defined]
        events = AuditEvent.objects.filter(
            actor=user,
            action="read",
            object_type="client_document",
            object_id=str(alex_document.pk),
        )
        assert events.count() == expected_events
        assert {e.client_id for e in events} == {world.alex.pk}


@pytest.mark.parametrize("name", [*DENIED, "alex"])
def test_everyone_else_gets_the_same_404_as_a_missing_document(
    world: World, login_as: Callable[[User], HttpClient], alex_document: ClientDocument, name: str
) -> None:
    http = login_as(_persona(world, name))
    before = AuditEvent.objects.count()
    denied = http.get(f"/clients/{world.alex.pk}/documents/{alex_document.pk}/")
    missing = http.get(f"/clients/{world.alex.pk}/documents/999999/")
    assert denied.status_code == missing.status_code == 404
    assert _without_csrf(denied.content) == _without_csrf(missing.content)
    assert "Content-Disposition" not in denied
    assert AuditEvent.objects.count() == before


def test_a_break_glass_reader_cannot_download_documents(
    world: World, login_as: Callable[[User], HttpClient], alex_document: ClientDocument
) -> None:
    now = timezone.now()
    BreakGlassGrant.objects.create(
        user=world.quinn,
        client=world.alex,
        reason="client in crisis, need contacts",
        granted_at=now,
        expires_at=now + timedelta(hours=1),
    )
    http = login_as(world.quinn)
    assert http.get(f"/clients/{world.alex.pk}/").status_code == 200
    response = http.get(f"/clients/{world.alex.pk}/documents/{alex_document.pk}/")
    assert response.status_code == 404


def test_a_document_is_only_found_under_its_own_client(
    world: World, login_as: Callable[[User], HttpClient], alex_document: ClientDocument
) -> None:
    # Dale directs the program and may see both clients: the id pair must still match.
    response = login_as(world.dale).get(f"/clients/{world.blair.pk}/documents/{alex_document.pk}/")
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(
    world: World, client: HttpClient, alex_document: ClientDocument
) -> None:
    response = client.get(f"/clients/{world.alex.pk}/documents/{alex_document.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_missing_file_is_404_and_not_audited(
    world: World, login_as: Callable[[User], HttpClient], alex_document: ClientDocument
) -> None:
    document_path(alex_document).unlink()
    before = AuditEvent.objects.count()
    response = login_as(world.casey).get(f"/clients/{world.alex.pk}/documents/{alex_document.pk}/")
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before


def test_a_download_name_always_ends_in_the_detected_type(
    world: World, django_capture_on_commit_callbacks: Any, login_as: Callable[[User], HttpClient]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = document_add(
            client=world.alex,
            uploads=[upload("photo.pdf.html", image_bytes("PNG"), "text/html")],
            actor=world.casey,
        )
    response = login_as(world.casey).get(f"/clients/{world.alex.pk}/documents/{document.pk}/")
    assert response["Content-Type"] == "image/png"
    assert 'filename="photo.pdf.html.png"' in response["Content-Disposition"]


# Uploads from the client overview -----------------------------------------------------------


def test_the_overview_lists_documents_and_offers_an_upload_to_the_care_team(
    world: World, login_as: Callable[[User], HttpClient], alex_document: ClientDocument
) -> None:
    body = login_as(world.casey).get(f"/clients/{world.alex.pk}/").content.decode()
    assert "discharge letter.pdf" in body
    assert f'href="/clients/{world.alex.pk}/documents/{alex_document.pk}/"' in body
    assert '<label for="id_intake_documents">Add documents</label>' in body


@pytest.mark.parametrize("name", ["alex"])
def test_the_client_does_not_see_the_documents_panel(
    world: World, login_as: Callable[[User], HttpClient], alex_document: ClientDocument, name: str
) -> None:
    body = login_as(_persona(world, name)).get(f"/clients/{world.alex.pk}/").content.decode()
    assert "discharge letter.pdf" not in body
    assert "Add documents" not in body


def test_staff_upload_from_the_overview(
    world: World, login_as: Callable[[User], HttpClient], django_capture_on_commit_callbacks: Any
) -> None:
    http = login_as(world.fran)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            f"/clients/{world.alex.pk}/documents/",
            {"documents": [upload("a.pdf", pdf_bytes()), upload("b.jpg", image_bytes("JPEG"))]},
        )
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{world.alex.pk}/"
    documents = ClientDocument.objects.filter(client=world.alex)
    assert {d.title for d in documents} == {"a.pdf", "b.jpg"}
    assert all(d.uploaded_by == world.fran and d.referral is None for d in documents)
    assert (
        AuditEvent.objects.filter(
            actor=world.fran, action="create", object_type="client_document"
        ).count()
        == 2
    )
    assert len(files_on_disk()) == 2


def test_an_upload_with_no_file_asks_for_one(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    before = snapshot()
    response = login_as(world.casey).post(f"/clients/{world.alex.pk}/documents/", {})
    assert response.status_code == 400
    assert "Choose at least one file" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("name", [*DENIED, "alex"])
def test_others_cannot_upload(
    world: World, login_as: Callable[[User], HttpClient], name: str
) -> None:
    before = snapshot()
    response = login_as(_persona(world, name)).post(
        f"/clients/{world.alex.pk}/documents/", {"documents": [upload("a.pdf", pdf_bytes())]}
    )
    assert response.status_code == 404
    assert snapshot() == before
