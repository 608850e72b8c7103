"""Clinical notes: progress notes (individual, family, intake and each client's entry of a
group note), the group note's shared summary, addenda, psychotherapy notes, supervision.

A signed note is locked: the services refuse to change it, and the database refuses an UPDATE
that changes a signed note's content (migration 0002's triggers), so a stray `.save()` cannot
rewrite what was signed. After signing only addenda are added; they are never changed.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from openiop.programs.models import Client
from openiop.scheduling.models import Session


class NoteKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual session"
    FAMILY = "family", "Family session"
    INTAKE = "intake", "Intake assessment"
    GROUP = "group", "Group session"


class NoteTemplate(models.TextChoices):
    DAP = "dap", "DAP (data, assessment, plan)"
    SOAP = "soap", "SOAP (subjective, objective, assessment, plan)"
    BIRP = "birp", "BIRP (behavior, intervention, response, plan)"
    GROUP = "group", "Group entry"


# The sections of each template, in order: (key in `ProgressNote.sections`, label, hint).
TEMPLATE_SECTIONS: dict[str, list[tuple[str, str, str]]] = {
    NoteTemplate.DAP: [
        ("data", "Data", "What the client said and what you observed."),
        ("assessment", "Assessment", "Your reading of the data and of progress on goals."),
        ("plan", "Plan", "Next steps, homework, next session."),
    ],
    NoteTemplate.SOAP: [
        ("subjective", "Subjective", "The client's own report."),
        ("objective", "Objective", "What you observed; measures."),
        ("assessment", "Assessment", "Your clinical reading."),
        ("plan", "Plan", "Next steps."),
    ],
    NoteTemplate.BIRP: [
        ("behavior", "Behavior", "The client's presentation and behavior."),
        ("intervention", "Intervention", "What you did."),
        ("response", "Response", "How the client responded."),
        ("plan", "Plan", "Next steps."),
    ],
    NoteTemplate.GROUP: [
        ("entry", "Entry", "This client's participation, in a few lines."),
    ],
}


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_COSIGN = "awaiting_cosign", "Signed, awaiting co-sign"
    SIGNED = "signed", "Signed"


class Supervision(models.Model):
    """A clinician whose notes a supervisor co-signs before they are final."""

    supervisee = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervision"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisees"
    )
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(supervisee=models.F("supervisor")),
                name="supervisor_is_someone_else",
            )
        ]

    def __str__(self) -> str:
        return f"supervision {self.pk}"


class GroupNote(models.Model):
    """One group session's shared summary, written once; each client gets an entry."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="group_note")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"group note {self.pk}"

    @property
    def is_locked(self) -> bool:
        return self.signed_at is not None


class ProgressNote(models.Model):
    """One client's note of one session (for a group: their entry beside the shared summary).

    `facts` is the header as it stood when the note was signed (date and time in the
    program's zone, duration, attendance, confirmed location, measures since the last note).
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="progress_notes")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="progress_notes")
    group_note = models.ForeignKey(
        GroupNote, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(max_length=16, choices=NoteKind.choices)
    template = models.CharField(max_length=8, choices=NoteTemplate.choices)
    sections = models.JSONField(default=dict)
    # The writer's statement of whether the client took part (checked against attendance).
    client_attended = models.BooleanField(default=True)
    attendance_status = models.CharField(max_length=16, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(default=0)
    facts = models.JSONField(default=dict)
    # The date of service: the session's local day in the program's zone (set when signed).
    service_date = models.DateField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    cosigner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    # Billing: what the rules suggested when signed, and what the signer settled on.
    suggested_code = models.CharField(max_length=8, blank=True)
    code = models.CharField(max_length=8, blank=True)
    code_note = models.CharField(max_length=200, blank=True)  # why there is no code
    suggested_day_code = models.CharField(max_length=8, blank=True)
    day_code = models.CharField(max_length=8, blank=True)
    code_changed_reason = models.CharField(max_length=300, blank=True)
    code_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "client"], name="one_note_per_client_session"
            )
        ]
        indexes = [
            models.Index(fields=["client", "status"], name="note_client_status"),
            models.Index(fields=["author", "status"], name="note_author_status"),
        ]

    def __str__(self) -> str:
        return f"progress note {self.pk}"

    @property
    def is_locked(self) -> bool:
        """Signed (perhaps awaiting co-sign): the content can no longer change."""
        return self.signed_at is not None

    @property
    def section_list(self) -> list[tuple[str, str, str, str]]:
        """(key, label, hint, text) for each section of the template, in order."""
        return [
            (key, label, hint, str(self.sections.get(key, "")))
            for key, label, hint in TEMPLATE_SECTIONS.get(self.template, [])
        ]


class Addendum(models.Model):
    """Text added to a signed note: signed and timestamped as it is written, never changed."""

    note = models.ForeignKey(ProgressNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"addendum {self.pk}"


class PsychotherapyNote(models.Model):
    """The therapist's own process notes: kept apart from the record, readable by the author
    alone, never exported, listed over the API or included in the record download."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["author", "client"], name="psychnote_author_client")]

    def __str__(self) -> str:
        return f"psychotherapy note {self.pk}"
