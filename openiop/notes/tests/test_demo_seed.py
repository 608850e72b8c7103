"""seed_demo's notes: a signed individual note, a signed group note for last week's group,
a draft due and a psychotherapy note by the demo clinician; running it twice adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from openiop.accounts.models import User
from openiop.notes.models import GroupNote, ProgressNote, PsychotherapyNote
from openiop.notes.selectors import note_queue


@pytest.mark.django_db
def test_demo_notes_are_seeded_once() -> None:
    call_command("seed_demo", "--quiet", stdout=StringIO())
    counts = (ProgressNote.objects.count(), PsychotherapyNote.objects.count())
    call_command("seed_demo", "--quiet", stdout=StringIO())
    assert (ProgressNote.objects.count(), PsychotherapyNote.objects.count()) == counts
    dana = User.objects.get(email="clinician@demo.openiop.test")
    assert ProgressNote.objects.filter(kind="individual", status="signed", author=dana).exists()
    group = GroupNote.objects.get()
    assert group.signed_at is not None and group.entries.count() >= 1
    assert PsychotherapyNote.objects.filter(author=dana).count() == 1
    queue = note_queue(dana, timezone.now())
    assert any(item.draft_id for item in queue.due)
