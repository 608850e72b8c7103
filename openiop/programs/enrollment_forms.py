"""Forms for program settings, tracks, enrollment phases and the care team.

They read and normalise the fields; the services check the rules and word the refusals, so a
page and the API refuse the same input with the same message.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from openiop.accounts.models import User
from openiop.programs.models import (
    CareTeamRole,
    Enrollment,
    LevelOfCare,
    Phase,
    Program,
    ScheduleLabel,
    Track,
)
from openiop.programs.selectors import next_phases
from openiop.programs.services.programs import PROGRAM_SETTINGS


def _hours(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )


class ProgramSettingsForm(forms.Form):
    name = forms.CharField(label="Program name", max_length=200)
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text="An IANA time zone such as America/Chicago; session times are shown in it.",
    )
    level_of_care = forms.ChoiceField(label="Level of care", choices=LevelOfCare.choices)
    min_weekly_hours = _hours("Weekly minimum (hours)")
    step_down_weekly_hours = _hours(
        "Step-down weekly minimum (hours)",
        required=False,
        help_text="Leave blank for half the weekly minimum.",
    )
    max_group_size = forms.IntegerField(label="Largest group (people)")
    billable_day_min_hours = _hours("Billable day minimum (hours)")
    on_call_phone = forms.CharField(
        label="On-call phone",
        max_length=32,
        required=False,
        help_text="Shown to clients under \u201cNeed help now?\u201d. Add the country code.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    dial_in_phone = forms.CharField(
        label="Dial-in number for sessions",
        max_length=32,
        required=False,
        help_text="The fallback when video fails.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    @classmethod
    def for_program(cls, program: Program, data: Any = None) -> "ProgramSettingsForm":
        return cls(data, initial={name: getattr(program, name) for name in PROGRAM_SETTINGS})


class TrackForm(forms.Form):
    name = forms.CharField(label="Track name", max_length=200)
    schedule_label = forms.ChoiceField(label="Meets in the", choices=ScheduleLabel.choices)
    population = forms.CharField(
        label="Population (optional)",
        max_length=100,
        required=False,
        help_text="Who the track is for, such as \u201cadults 18\u201325\u201d.",
    )
    capacity = forms.IntegerField(label="Capacity (clients)", initial=12)
    trauma_focused = forms.BooleanField(label="Trauma-focused", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The settings page holds this form next to the program's, which also has a `name`.
        kwargs.setdefault("auto_id", "track_%s")
        super().__init__(*args, **kwargs)


class TrackEditForm(TrackForm):
    is_active = forms.BooleanField(
        label="Open for new clients",
        required=False,
        help_text="Untick to retire the track; clients already in it stay.",
    )

    @classmethod
    def for_track(cls, track: Track, data: Any = None) -> "TrackEditForm":
        return cls(data, initial={name: getattr(track, name) for name in cls.base_fields})


class PhaseChangeForm(forms.Form):
    to_phase = forms.ChoiceField(label="Move to phase", choices=Phase.choices)
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded in the phase history with your name and the time.",
        error_messages={"required": "Say why the phase changes."},
    )

    def __init__(self, *args: Any, next_phases: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer only the moves the rules allow, but accept any phase, so that a move the
        # rules forbid gets the service's explanation rather than "not a valid choice".
        self.fields["to_phase"].widget.choices = next_phases  # type: ignore[attr-defined]

    @classmethod
    def for_enrollment(cls, enrollment: Enrollment, data: Any = None) -> "PhaseChangeForm":
        offered = [(v, label) for v, label in next_phases(enrollment) if v != Phase.DISCHARGED]
        return cls(data, next_phases=offered)

    def clean_to_phase(self) -> str:
        if self.cleaned_data["to_phase"] == Phase.DISCHARGED:
            raise forms.ValidationError(
                "Discharge from the client's Discharge page: it records the discharge "
                "summary together with the move."
            )
        return self.cleaned_data["to_phase"]


class TrackAssignForm(forms.Form):
    track = forms.ModelChoiceField(
        label="Track",
        queryset=Track.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the program's open tracks."},
    )

    def __init__(self, *args: Any, tracks: QuerySet[Track], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = tracks  # type: ignore[attr-defined]


class _StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.get_role_display().lower()})"


class CareTeamSeatForm(forms.Form):
    user = _StaffChoiceField(
        label="Staff member",
        queryset=User.objects.none(),
        empty_label="Choose a staff member",
        error_messages={
            "invalid_choice": "Choose a clinician or facilitator of this program "
            "who is not on the care team yet."
        },
    )
    # No seat preselected: choosing "Primary clinician" replaces the current one.
    role = forms.ChoiceField(
        label="Seat",
        choices=[("", "Choose a seat"), *CareTeamRole.choices],
        help_text="A new primary clinician replaces the current one, who stays as clinician.",
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates  # type: ignore[attr-defined]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: under its field when the form has that field,
    otherwise at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
