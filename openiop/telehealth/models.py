"""Video rooms, join tickets, who is waiting or in the room, and presence from Janus.

The media never touches Django. Django decides who may enter which room, creates the Janus
room just in time (one per session occurrence) and hands out short-lived, single-use tickets;
redeeming a ticket for *its* room is the only way to learn the room's PIN. Presence intervals
come from Janus's own events and become attendance when the session ends.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from openiop.lib.tokens import new_token, token_digest
from openiop.scheduling.models import Session


class Room(models.Model):
    """The Janus videoroom of one session occurrence: created just in time, destroyed after."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="video_room")
    server_url = models.CharField(max_length=200)
    # Random 9-digit number: rooms are never listed, and numbers are not guessable in order.
    number = models.PositiveBigIntegerField(unique=True)
    secret = models.CharField(max_length=64)
    pin = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    # Set once Janus has the room (the row is written first, then locked while Janus creates it).
    janus_created_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    locked = models.BooleanField(default=False)
    # When presence became attendance (once per room).
    attendance_done_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"room {self.pk}"

    @property
    def is_live(self) -> bool:
        return self.janus_created_at is not None and self.destroyed_at is None


class JoinTicket(models.Model):
    """A single-use, two-minute pass into one room; only the token's SHA-256 is stored."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="tickets")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # The Janus participant ids handed out on redeem (camera, and staff's screen share):
    # Janus events name participants by these ids, which is how presence finds the user.
    feed_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    screen_feed_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    # The room's access list entry this redemption added (Janus refuses any join without
    # one, even with the PIN); removed when the person is removed or loses access.
    janus_token = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"join ticket {self.pk}"

    digest_of = staticmethod(token_digest)
    new_raw = staticmethod(new_token)


class ParticipantState(models.TextChoices):
    WAITING = "waiting", "Waiting to be let in"
    ADMITTED = "admitted", "In the room"
    LEFT = "left", "Left"
    REMOVED = "removed", "Removed by staff"


class Mode(models.TextChoices):
    VIDEO = "video", "Video"
    LOW = "low", "Low-bandwidth video"
    AUDIO = "audio", "Audio only"


class Participant(models.Model):
    """One person's place in one session's room: pre-join results, waiting, admitted, left."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    is_staff = models.BooleanField(default=False)
    state = models.CharField(
        max_length=16, choices=ParticipantState.choices, default=ParticipantState.WAITING
    )
    # Pre-join check results (numbers and choices only).
    rtt_ms = models.PositiveIntegerField(null=True, blank=True)
    throughput_kbps = models.PositiveIntegerField(null=True, blank=True)
    camera_ok = models.BooleanField(null=True, blank=True)
    recommended_mode = models.CharField(max_length=8, choices=Mode.choices, blank=True)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.VIDEO)
    private = models.BooleanField(null=True, blank=True)
    # "I'm not private right now" → "ask my clinician to message me": a flag, no free text.
    wants_message = models.BooleanField(default=False)
    location_declined = models.BooleanField(null=True, blank=True)
    prejoined_at = models.DateTimeField(null=True, blank=True)
    admitted_at = models.DateTimeField(null=True, blank=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hand_raised = models.BooleanField(default=False)
    # Staff asked this participant's page to mute its microphone (the page obeys and clears it).
    mute_requested = models.BooleanField(default=False)
    # Heartbeat from the room page; "reconnecting" when stale or when the page says so.
    last_seen = models.DateTimeField(null=True, blank=True)
    reconnecting = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_participant_per_session")
        ]

    def __str__(self) -> str:
        return f"participant {self.pk}"


class Presence(models.Model):
    """One stretch of time a participant's camera handle was in the Janus room (from events)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    feed_id = models.PositiveBigIntegerField()
    janus_session_id = models.PositiveBigIntegerField(null=True, blank=True)
    janus_handle_id = models.PositiveBigIntegerField(null=True, blank=True)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        indexes = [
            models.Index(fields=["room", "feed_id"], name="presence_room_feed"),
            models.Index(fields=["janus_handle_id"], name="presence_handle"),
            models.Index(fields=["janus_session_id"], name="presence_session"),
        ]

    def __str__(self) -> str:
        return f"presence {self.pk}"
