"""Client documents: check uploads, store them outside the web root, open them audited.

A file is accepted by what its first bytes say it is (PDF, PNG or JPEG), never by its name or
the type the browser sent. Every check runs before anything is written. Files are written
into `<root>/.pending/` inside the transaction that creates their rows and moved to their
final name only when that transaction commits; if it rolls back, the service's own failure
removes them at once, and a pending file orphaned by a caller's outer rollback is swept on
the next upload. So the document root never holds a file without a committed row.
"""

import hashlib
import os
import secrets
import time
import unicodedata
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from openiop.accounts.models import User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.models import Client, ClientDocument, Referral

# Leading bytes of each accepted kind (its "magic number") and the extension it downloads with.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
EXTENSIONS = {content_type: ext for _magic, content_type, ext in SIGNATURES}
MAX_DOCUMENTS_PER_UPLOAD = 10
FIELD = "documents"  # the form field every refusal is reported against
_PENDING = ".pending"
_STALE_PENDING_SECONDS = 3600


def detect_content_type(head: bytes) -> str | None:
    """The MIME type the leading bytes announce, or None for anything not accepted."""
    for magic, content_type, _ext in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _display_name(upload: File) -> str:
    # Only the last path component a browser sent, without control characters.
    raw = Path(str(upload.name or "").replace("\\", "/")).name
    clean = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C").strip()
    return clean[:200] or "Document"


def check_documents(uploads: Sequence[File]) -> list[str]:
    """The content type of each upload, in order; ValidationError naming every problem.

    Reads only the first bytes of each file; writes nothing.
    """
    limit = settings.OPENIOP_DOCUMENT_MAX_BYTES
    if len(uploads) > MAX_DOCUMENTS_PER_UPLOAD:
        raise ValidationError(
            {FIELD: f"Attach at most {MAX_DOCUMENTS_PER_UPLOAD} files at a time."}
        )
    problems: list[str] = []
    types: list[str] = []
    for upload in uploads:
        name = _display_name(upload)
        size = upload.size or 0
        if size > limit:
            problems.append(
                f"“{name}” is {_megabytes(size)}; a file can be at most {_megabytes(limit)}. "
                "Attach a smaller file, for example scanned at a lower resolution or split "
                "into parts."
            )
            continue
        if size == 0:
            problems.append(f"“{name}” is empty. Choose the file again.")
            continue
        upload.seek(0)
        content_type = detect_content_type(upload.read(16))
        upload.seek(0)
        if content_type is None:
            problems.append(
                f"“{name}” is not a PDF, PNG or JPEG file (its contents were checked, not its "
                "name). Save or scan it as a PDF, PNG or JPEG and attach it again."
            )
            continue
        types.append(content_type)
    if problems:
        raise ValidationError({FIELD: problems})
    return types


def document_root() -> Path:
    return Path(settings.OPENIOP_DOCUMENT_ROOT)


def document_path(document: ClientDocument) -> Path:
    return document_root() / document.storage_name


def _pending_dir() -> Path:
    # Both directories private to the server's user (mkdir's `parents` would use 0o777).
    root = document_root()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    pending = root / _PENDING
    pending.mkdir(mode=0o700, exist_ok=True)
    return pending


def _sweep_stale_pending(pending: Path) -> None:
    """Remove pending files left behind by a transaction that rolled back long ago."""
    cutoff = time.time() - _STALE_PENDING_SECONDS
    for path in pending.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


def _write_private(path: Path, upload: File) -> tuple[int, str]:
    """Copy the upload to a new file only the server's user can read; (size, sha256)."""
    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)  # whatever the umask
        upload.seek(0)
        for chunk in upload.chunks():
            if size + len(chunk) > settings.OPENIOP_DOCUMENT_MAX_BYTES:
                # The size was checked already; a file that grew since is refused too.
                raise ValidationError({FIELD: "A file changed while it was being saved."})
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest()


def _publish(pending: Path, final: Path) -> None:
    os.replace(pending, final)


def documents_store(
    *,
    client: Client,
    uploads: Sequence[File],
    actor: User | None,
    referral: Referral | None = None,
) -> list[ClientDocument]:
    """Write checked uploads and their rows; the caller holds the transaction (see module)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("documents_store must run inside the transaction that owns the rows")
    if not uploads:
        return []
    types = check_documents(uploads)
    pending = _pending_dir()
    _sweep_stale_pending(pending)
    written: list[Path] = []
    documents: list[ClientDocument] = []
    try:
        for upload, content_type in zip(uploads, types, strict=True):
            storage_name = secrets.token_hex(20)
            path = pending / storage_name
            written.append(path)
            size, sha256 = _write_private(path, upload)
            document = ClientDocument.objects.create(
                client=client,
                referral=referral,
                title=_display_name(upload),
                content_type=content_type,
                size=size,
                sha256=sha256,
                storage_name=storage_name,
                uploaded_by=actor,
            )
            audit_record(
                actor=actor,
                action=Action.CREATE,
                object_type="client_document",
                object_id=document.pk,
                client_id=client.pk,
            )
            documents.append(document)
            transaction.on_commit(
                partial(_publish, path, document_root() / storage_name), robust=True
            )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return documents


@transaction.atomic
def document_add(*, client: Client, uploads: Sequence[File], actor: User) -> list[ClientDocument]:
    """Staff add documents to a client's record (from the client overview)."""
    if not uploads:
        raise ValidationError({FIELD: "Choose at least one file to upload."})
    return documents_store(client=client, uploads=uploads, actor=actor)


def download_name(document: ClientDocument) -> str:
    """The title with the extension its contents call for (a.exe.pdf, never a.pdf.exe)."""
    ext = EXTENSIONS.get(document.content_type, "")
    fitting = (".jpg", ".jpeg") if ext == ".jpg" else (ext,)
    if ext and not document.title.lower().endswith(fitting):
        return f"{document.title}{ext}"
    return document.title


@transaction.atomic
def document_open(*, document: ClientDocument, actor: User) -> BinaryIO:
    """The stored file, opened for reading, with one audit event for this download.

    Raises FileNotFoundError (and audits nothing) when the file is missing.
    """
    handle = document_path(document).open("rb")
    try:
        audit_record(
            actor=actor,
            action=Action.READ,
            object_type="client_document",
            object_id=document.pk,
            client_id=document.client_id,
        )
    except BaseException:
        handle.close()
        raise
    return handle
