"""Programs and their tracks: create, change settings, add and edit tracks.

Each write checks the whole object (a step-down minimum must stay below the weekly minimum
whichever of the two changes), is one transaction, and records its audit event there.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from openiop.accounts.models import Role, User
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.lib.phones import normalize_phone, region_for_zone
from openiop.programs.models import (
    DEFAULT_WEEKLY_HOURS,
    LevelOfCare,
    Program,
    ProgramStaff,
    ScheduleLabel,
    Track,
)

# Limits that catch typing mistakes (90 instead of 9), not clinical policy.
MAX_WEEKLY_HOURS = Decimal(40)
MAX_BILLABLE_DAY_HOURS = Decimal(12)
MAX_GROUP_SIZE = 50
MAX_TRACK_CAPACITY = 500

# What a director may change on the settings page (and program_update accepts).
PROGRAM_SETTINGS = (
    "name",
    "time_zone",
    "level_of_care",
    "min_weekly_hours",
    "step_down_weekly_hours",
    "max_group_size",
    "billable_day_min_hours",
    "on_call_phone",
    "dial_in_phone",
)
TRACK_FIELDS = ("name", "schedule_label", "population", "capacity", "trauma_focused", "is_active")
DUPLICATE = "duplicate"  # ValidationError code for a name already taken (API: 409)


def _check_program(program: Program) -> None:
    """Field checks (zone, choices, digits) plus the limits that relate fields to each other."""
    errors: dict[str, list[str]] = {}
    try:
        program.full_clean(exclude=["slug"])
    except ValidationError as error:
        errors.update(error.message_dict)
    hours = program.min_weekly_hours
    if "min_weekly_hours" not in errors and not Decimal(0) < hours <= MAX_WEEKLY_HOURS:
        errors["min_weekly_hours"] = [
            f"The weekly minimum must be more than 0 and at most {MAX_WEEKLY_HOURS} hours."
        ]
    step = program.step_down_weekly_hours
    if step is not None and "step_down_weekly_hours" not in errors:
        if step <= 0:
            errors["step_down_weekly_hours"] = [
                "The step-down minimum must be more than 0 hours, or blank for half the "
                "weekly minimum."
            ]
        elif "min_weekly_hours" not in errors and step >= hours:
            errors["step_down_weekly_hours"] = [
                f"Step-down lowers the requirement: enter fewer hours than the weekly minimum "
                f"({hours}), or leave it blank for half of it."
            ]
    if "max_group_size" not in errors and not 2 <= program.max_group_size <= MAX_GROUP_SIZE:
        errors["max_group_size"] = [f"A group has between 2 and {MAX_GROUP_SIZE} people."]
    day = program.billable_day_min_hours
    if "billable_day_min_hours" not in errors and not Decimal(0) < day <= MAX_BILLABLE_DAY_HOURS:
        errors["billable_day_min_hours"] = [
            f"The billable-day minimum must be more than 0 and at most "
            f"{MAX_BILLABLE_DAY_HOURS} hours."
        ]
    if errors:
        raise ValidationError(errors)


def unique_program_slug(name: str) -> str:
    """A URL name from the program's name, with -2, -3… when it is taken."""
    max_length = Program._meta.get_field("slug").max_length or 50
    base = slugify(name)[: max_length - 4].strip("-") or "program"
    taken = set(Program.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def program_create(
    *,
    name: str,
    time_zone: str,
    level_of_care: LevelOfCare | str,
    min_weekly_hours: Decimal | None = None,
    slug: str = "",
    actor: User | None = None,
    **extra: Any,
) -> Program:
    """A new program; the weekly minimum defaults to the level of care's (IOP adults 9 h).

    A director who creates a program joins its staff, so they can run it.
    """
    try:
        level = LevelOfCare(level_of_care)
    except ValueError:
        choices = ", ".join(LevelOfCare.values)
        raise ValidationError({"level_of_care": f"Choose one of: {choices}."}) from None
    program = Program(
        name=name.strip(),
        slug=slug or unique_program_slug(name),
        time_zone=time_zone,
        level_of_care=level,
        min_weekly_hours=DEFAULT_WEEKLY_HOURS[level]
        if min_weekly_hours is None
        else min_weekly_hours,
        **extra,
    )
    _check_program(program)
    program.validate_unique()
    program.save()
    audit_record(actor=actor, action=Action.CREATE, object_type="program", object_id=program.pk)
    if actor is not None and actor.role == Role.DIRECTOR:
        membership = ProgramStaff.objects.create(program=program, user=actor)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            object_type="program_staff",
            object_id=membership.pk,
        )
    return program


@transaction.atomic
def program_update(*, program: Program, actor: User | None, **changes: Any) -> Program:
    """Change some of PROGRAM_SETTINGS; phones that change must be numbers one can call.

    Raises ValidationError (nothing written) naming each field to fix.
    """
    unknown = set(changes) - set(PROGRAM_SETTINGS)
    if unknown:
        raise TypeError(f"program_update() cannot change {', '.join(sorted(unknown))}")
    program = Program.objects.select_for_update().get(pk=program.pk)
    changed = [field for field, value in changes.items() if getattr(program, field) != value]
    errors: dict[str, list[str]] = {}
    for field in changed:
        value = changes[field]
        if field in ("on_call_phone", "dial_in_phone") and value:
            try:
                # A number typed without +country is read as one of the program's country.
                region = region_for_zone(changes.get("time_zone", program.time_zone))
                value = normalize_phone(str(value), region=region)
            except ValidationError as error:
                errors[field] = error.messages
        if field == "name":
            value = str(value).strip()
        setattr(program, field, value)
    try:
        _check_program(program)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    if changed:
        program.save(update_fields=changed)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            object_type="program",
            object_id=program.pk,
            reason="changed " + ", ".join(changed),
        )
    return program


def _check_track(track: Track) -> None:
    errors: dict[str, list[str]] = {}
    try:
        track.full_clean(exclude=["program"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if "capacity" not in errors and not 1 <= track.capacity <= MAX_TRACK_CAPACITY:
        errors["capacity"] = [f"Capacity is between 1 and {MAX_TRACK_CAPACITY} clients."]
    if errors:
        raise ValidationError(errors)
    name_taken = (
        Track.objects.filter(program_id=track.program_id, name__iexact=track.name)
        .exclude(pk=track.pk)
        .exists()
    )
    if name_taken:
        raise ValidationError(
            {
                "name": ValidationError(
                    f"This program already has a track called {track.name!r}; choose another name.",
                    code=DUPLICATE,
                )
            }
        )


@transaction.atomic
def track_create(
    *,
    program: Program,
    name: str,
    schedule_label: ScheduleLabel | str,
    actor: User | None,
    population: str = "",
    capacity: int = 12,
    trauma_focused: bool = False,
) -> Track:
    """A new track (cohort) of `program`; names are unique within a program."""
    track = Track(
        program=program,
        name=name.strip(),
        schedule_label=schedule_label,
        population=population.strip(),
        capacity=capacity,
        trauma_focused=trauma_focused,
    )
    _check_track(track)
    track.save()
    audit_record(actor=actor, action=Action.CREATE, object_type="track", object_id=track.pk)
    return track


@transaction.atomic
def track_update(*, track: Track, actor: User | None, **changes: Any) -> Track:
    """Change some of TRACK_FIELDS; `is_active=False` retires a track from new assignments
    (clients already in it stay)."""
    unknown = set(changes) - set(TRACK_FIELDS)
    if unknown:
        raise TypeError(f"track_update() cannot change {', '.join(sorted(unknown))}")
    track = Track.objects.select_for_update().get(pk=track.pk)
    for field in ("name", "population"):
        if field in changes:
            changes[field] = str(changes[field]).strip()
    changed = [field for field, value in changes.items() if getattr(track, field) != value]
    for field in changed:
        setattr(track, field, changes[field])
    _check_track(track)
    if changed:
        track.save(update_fields=changed)
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            object_type="track",
            object_id=track.pk,
            reason="changed " + ", ".join(changed),
        )
    return track
