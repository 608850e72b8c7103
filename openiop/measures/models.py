from django.conf import settings
from django.db import models
from django.utils import timezone

from openiop.programs.models import Client, Program, Track


class Instrument(models.Model):
    """A questionnaire known by a stable code (``phq9``); its wording and rules are versions."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    # Blank for the instruments OpenIOP ships; else the program that published its own.
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="instruments"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    """One published definition (items, scoring, bands, risk rules). Never edited: a change
    is a new version, and each response keeps the version it was scored with."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveSmallIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["instrument", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "version"], name="unique_instrument_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.version}"


class ResponseSource(models.TextChoices):
    CLIENT = "client", "Client, on their own"
    CLINICIAN = "clinician", "Clinician, in session"


class Response(models.Model):
    """One completed administration: the checked answers and what scoring made of them."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="measure_responses")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    flags = models.JSONField(default=list)
    # The highest severity of the risk rules that fired ("" when none did).
    risk = models.CharField(max_length=16, blank=True)
    # An instrument code this answer made due at once (a PHQ-9 item 9 answer: the C-SSRS).
    makes_due = models.CharField(max_length=40, blank=True)
    alert_id = models.BigIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=16, choices=ResponseSource.choices)
    # SHA-256 of the instrument and answers as sent: the same body again within seconds is a
    # double tap and gets the first response back.
    body_digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(
                fields=["client", "instrument", "submitted_at"], name="response_client_instr"
            ),
            models.Index(fields=["client", "makes_due", "submitted_at"], name="response_makes_due"),
        ]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Draft(models.Model):
    """Answers given so far, one question at a time; never scored. Submitting deletes it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="measure_drafts")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)
    # The answers so far fire a risk rule (set on every save), so the sweep for unfinished
    # risky questionnaires looks at these rows only.
    risky = models.BooleanField(default=False)
    # Raised when a risky answer sat in a questionnaire the client did not finish
    # (`services.risky_drafts_alert`); submitting it later does not raise a second one.
    alert = models.ForeignKey(
        "safety.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "instrument"], name="one_draft_per_measure")
        ]

    def __str__(self) -> str:
        return f"draft {self.pk}"


class ScheduleRule(models.Model):
    """How often a track's clients are asked to complete one instrument.

    A track without any rule follows each instrument's default schedule (its definition);
    the director's schedule page writes a full set of rules for the track.
    """

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="measure_rules")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    every_days = models.PositiveSmallIntegerField(default=0)  # 0: not periodic
    at_intake = models.BooleanField(default=False)

    class Meta:
        ordering = ["track", "instrument"]
        constraints = [
            models.UniqueConstraint(fields=["track", "instrument"], name="unique_track_measure")
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} every {self.every_days} days"

    @property
    def is_on(self) -> bool:
        return self.every_days > 0 or self.at_intake
