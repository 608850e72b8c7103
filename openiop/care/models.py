"""Treatment plans (versioned, signed by clinician and client) and homework.

A plan belongs to one enrollment; its content lives in numbered versions. A version is a
draft until the clinician signs it, read-only from then on, and complete once the client
signs too. Editing a signed plan starts a new draft version; every version is kept.

Goals are copied into each new version; ``origin`` points at the goal's first row, so
homework and progress ratings (which hang on that first row) follow a goal across versions.

Homework is an assignment (a snapshot of a library item, so later library edits never
change what a client was given) with one occurrence per due date.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from openiop.programs.models import Client, Enrollment, Program


class TreatmentPlan(models.Model):
    """One enrollment's treatment plan: its review schedule; the content is in versions."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="treatment_plan"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="treatment_plans")
    review_every_days = models.PositiveSmallIntegerField(default=30)
    # The instant the next review becomes overdue (the end of the due day in the program's
    # zone), so "overdue" is one comparison with now; empty until a version is signed.
    review_due_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["client", "review_due_at"], name="care_plan_review_due")]

    def __str__(self) -> str:
        return f"treatment plan {self.pk}"

    def review_overdue(self, now: datetime) -> bool:
        return self.review_due_at is not None and self.review_due_at <= now


class PlanVersion(models.Model):
    """One numbered version of a plan: a draft, then locked by the clinician's signature."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    problems = models.JSONField(default=list, blank=True)  # list of short statements
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    clinician_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clinician_signed_at = models.DateTimeField(null=True, blank=True)
    client_signed_name = models.CharField(max_length=200, blank=True)
    client_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="care_unique_plan_version")
        ]

    def __str__(self) -> str:
        return f"plan {self.plan_id} v{self.number}"

    @property
    def is_locked(self) -> bool:
        """Signed by the clinician: read-only for everyone from then on."""
        return self.clinician_signed_at is not None

    @property
    def is_fully_signed(self) -> bool:
        return self.clinician_signed_at is not None and self.client_signed_at is not None

    @property
    def status_label(self) -> str:
        if self.is_fully_signed:
            return "Signed by clinician and client"
        if self.is_locked:
            return "Signed by clinician, waiting for the client's signature"
        return "Draft"


class Goal(models.Model):
    """A measurable goal in one plan version, with its objectives and interventions."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="goals")
    # The goal's row in the version that first had it (empty on that row itself).
    origin = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)
    statement = models.CharField(max_length=500)  # the clinical, measurable wording
    plain_words = models.CharField(max_length=300)  # what the client reads
    target_date = models.DateField()
    objectives = models.JSONField(default=list, blank=True)
    interventions = models.JSONField(default=list, blank=True)
    measures = models.JSONField(default=list, blank=True)  # instrument codes: phq9, gad7, …

    class Meta:
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return f"goal {self.pk}"

    @property
    def lineage_id(self) -> int:
        """The id homework and progress ratings use for this goal in every version."""
        return self.origin_id or self.pk


class GoalProgress(models.Model):
    """A clinician's rating of progress on a goal (0 none – 10 met); the latest is shown."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="progress_ratings")
    rating = models.PositiveSmallIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["goal", "recorded_at"], name="care_goal_progress")]

    def __str__(self) -> str:
        return f"progress {self.rating} on goal {self.goal_id}"


class PlanReview(models.Model):
    """A scheduled review of the plan in force, recorded by a clinician."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"review of plan {self.plan_id}"


# Homework -----------------------------------------------------------------------------------


class ExerciseKind(models.TextChoices):
    FORM = "form", "Exercise with a form"
    FREE_TASK = "free_task", "Free task"
    COMMUNITY = "community", "Community activity"


class FieldType(models.TextChoices):
    TEXT = "text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    SCALE = "scale", "Number from 0 to 10"
    CHOICE = "choice", "One choice"
    CHECKLIST = "checklist", "Checklist"
    TIME = "time", "Time of day"


class Exercise(models.Model):
    """A library item a program added: a structured form defined as data (see library.py)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="exercises")
    kind = models.CharField(max_length=16, choices=ExerciseKind.choices, default=ExerciseKind.FORM)
    title = models.CharField(max_length=120)
    instructions = models.TextField(blank=True)
    fields = models.JSONField(default=list, blank=True)
    link = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["program", "title"]
        constraints = [
            models.UniqueConstraint(fields=["program", "title"], name="care_unique_exercise_title")
        ]

    def __str__(self) -> str:
        return self.title


class Repeat(models.TextChoices):
    NONE = "none", "Once"
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"


class Assignment(models.Model):
    """Homework given to a client: a snapshot of the library item, due once or repeatedly."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="homework")
    # The goal's first row (Goal.lineage_id), so it stays linked across plan versions.
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    exercise_key = models.CharField(max_length=40)  # "builtin:<slug>" or "program:<id>"
    kind = models.CharField(max_length=16, choices=ExerciseKind.choices)
    title = models.CharField(max_length=120)
    instructions = models.TextField(blank=True)
    fields = models.JSONField(default=list, blank=True)
    link = models.URLField(blank=True)
    note = models.CharField(max_length=500, blank=True)  # from the clinician to the client
    repeat = models.CharField(max_length=8, choices=Repeat.choices, default=Repeat.NONE)
    first_due_on = models.DateField()
    until_on = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assigned_at"]

    def __str__(self) -> str:
        return f"assignment {self.pk}"


class Occurrence(models.Model):
    """One due date of an assignment: the client's answers, draft then submitted, reviewed."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="occurrences")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()  # in the client's zone
    due_at = models.DateTimeField()  # the end of due_on in the client's zone: overdue after it
    answers = models.JSONField(default=dict, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    # The clinician withdrew the exercise before this was handed in: it leaves the client's
    # list, its reminder is withdrawn and it no longer counts toward completion.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["client", "due_at"], name="care_occurrence_due"),
        ]

    def __str__(self) -> str:
        return f"homework {self.pk}"

    def status(self, now: datetime) -> str:
        if self.reviewed_at is not None:
            return "reviewed"
        if self.submitted_at is not None:
            return "done"
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.due_at <= now:
            return "overdue"
        if self.saved_at is not None:
            return "started"
        return "due"

    def status_label(self, now: datetime) -> str:
        return {
            "reviewed": "Done, with a comment",
            "done": "Done",
            "withdrawn": "Withdrawn",
            "overdue": "Overdue",
            "started": "Started",
            "due": "To do",
        }[self.status(now)]
