"""Demo tracks and enrollment phases, so the director's program board has something to show.

Called by `seed_demo`: `seed_tracks` before the clients, `seed_enrollments` after every other
part of the seed, opening an enrollment only for a demo client who has none (the onboarding,
referral and discharge parts open their own). Safe to run again.
"""

from openiop.programs.models import Client, Program, Track
from openiop.programs.services import (
    enrollment_open,
    enrollment_set_track,
    enrollment_transition,
    track_create,
)

TRACKS = [
    # program, name, schedule, population, capacity, trauma-focused
    ("riverbend-demo", "Adult mood — evenings (demo)", "evening", "Adults", 12, False),
    ("riverbend-demo", "Adult mood — mornings (demo)", "morning", "Adults", 12, False),
    (
        "riverbend-demo",
        "Young adult trauma — mornings (demo)",
        "morning",
        "Adults 18–25",
        8,
        True,
    ),
    ("riverbend-demo", "Weekend skills (demo)", "weekend", "Adults", 10, False),
    ("lakeside-demo", "Teen skills — afternoons (demo)", "afternoon", "Ages 13–17", 8, False),
]

# email -> (track, the phases after `referred`, each with the reason the history shows)
ENROLLMENTS = {
    "sam@demo.openiop.test": (
        "Adult mood — evenings (demo)",
        [
            ("intake", "Intake assessment booked"),
            ("active", "Admitted to the evening track"),
        ],
    ),
    "kendall@demo.openiop.test": (
        "Young adult trauma — mornings (demo)",
        [
            ("intake", "Intake assessment booked"),
            ("active", "Admitted to the morning track"),
            ("step_down", "Attending steadily; stepping down to fewer hours"),
        ],
    ),
    "riley@demo.openiop.test": (
        "Teen skills — afternoons (demo)",
        [
            ("intake", "Intake with a parent present"),
            ("active", "Admitted to the afternoon track"),
        ],
    ),
}


def seed_tracks() -> None:
    for slug, name, schedule, population, capacity, trauma in TRACKS:
        program = Program.objects.get(slug=slug)
        if not Track.objects.filter(program=program, name=name).exists():
            track_create(
                program=program,
                name=name,
                schedule_label=schedule,
                population=population,
                capacity=capacity,
                trauma_focused=trauma,
                actor=None,
            )


def seed_enrollments(emails: list[str]) -> None:
    """Give each demo client in `emails` without an enrollment one, moved through the phases
    listed for them; anyone unlisted stays `referred`."""
    for email in emails:
        client = Client.objects.select_related("program").get(user__email=email)
        if client.enrollments.exists():
            continue
        # The primary clinician moves their client along, as they would in the clinic.
        seat = client.care_team.select_related("user").filter(role="primary").first()
        actor = seat.user if seat else None
        track_name, steps = ENROLLMENTS.get(email, (None, []))
        enrollment = enrollment_open(
            client=client, program=client.program, actor=actor, reason="Referral received"
        )
        if track_name:
            track = Track.objects.get(program=client.program, name=track_name)
            enrollment_set_track(enrollment=enrollment, track=track, actor=actor)
        for phase, reason in steps:
            enrollment_transition(enrollment=enrollment, to_phase=phase, reason=reason, actor=actor)
