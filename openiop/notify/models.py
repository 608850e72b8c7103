"""Messages, their delivery attempts, people's preferences, and staff follow-up tasks.

Notify knows no domain (ARCHITECTURE.md): a message has a user, an idempotency key chosen by
the calling app, a subject, a body and a link. Times are UTC.
"""

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    INAPP = "inapp", "In the app"


class MessageState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    CANCELLED = "cancelled", "Withdrawn"


class Message(models.Model):
    """One notification to one person on one channel; unique per (key, channel)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    staff = models.BooleanField(default=False, help_text="A message to staff (no quiet hours).")
    created_at = models.DateTimeField(default=timezone.now)
    # What the caller asked for, and when the next attempt may run (quiet hours, backoff).
    send_at = models.DateTimeField()
    due_at = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=MessageState.choices, default=MessageState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    address = models.CharField(max_length=254, blank=True, help_text="Where it went.")
    provider_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="one_message_per_key_channel")
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="notify_message_state_due"),
            models.Index(fields=["user", "channel", "state"], name="notify_message_inbox"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk}"


class AttemptOutcome(models.TextChoices):
    STARTED = "started", "Started (no answer recorded)"
    SENT = "sent", "Sent"
    RETRY = "retry", "Temporary failure, will retry"
    FAILED = "failed", "Permanent failure"
    SKIPPED = "skipped", "Not sent (opted out or no address)"
    RECOVERED = "recovered", "Found already sent after a crash"


class DeliveryAttempt(models.Model):
    """One try at handing a message to its channel, and what came of it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="delivery_attempts")
    worker = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=AttemptOutcome.choices, default=AttemptOutcome.STARTED
    )
    provider_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"attempt {self.pk}"


DEFAULT_QUIET_START = time(21, 0)
DEFAULT_QUIET_END = time(8, 0)


class Preference(models.Model):
    """How and when one person wants to hear from OpenIOP."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notify_preference"
    )
    email_on = models.BooleanField(default=True)
    sms_on = models.BooleanField(default=False)
    inapp_on = models.BooleanField(default=True)
    phone = models.CharField(max_length=32, blank=True, help_text="E.164, for text messages.")
    # Set by the provider's answers: a permanent refusal, or a STOP reply.
    phone_invalid_at = models.DateTimeField(null=True, blank=True)
    email_invalid_at = models.DateTimeField(null=True, blank=True)
    sms_opted_out_at = models.DateTimeField(null=True, blank=True)
    quiet_start = models.TimeField(null=True, blank=True, default=DEFAULT_QUIET_START)
    quiet_end = models.TimeField(null=True, blank=True, default=DEFAULT_QUIET_END)
    time_zone = models.CharField(max_length=64, default="UTC")
    language = models.CharField(max_length=16, default="en")
    discreet = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"preference {self.pk}"

    def channels(self) -> list[str]:
        chosen = [
            (Channel.EMAIL, self.email_on),
            (Channel.SMS, self.sms_on),
            (Channel.INAPP, self.inapp_on),
        ]
        return [str(channel) for channel, on in chosen if on]

    @property
    def sms_usable(self) -> bool:
        return bool(self.phone) and self.phone_invalid_at is None and self.sms_opted_out_at is None


class StaffTask(models.Model):
    """Something a member of staff should do by a time (a follow-up call after a no-show)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_tasks"
    )
    key = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=200)
    link = models.CharField(max_length=500, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True, help_text="For badges; no FK.")
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["user", "done_at"], name="notify_task_open")]

    def __str__(self) -> str:
        return f"staff task {self.pk}"
