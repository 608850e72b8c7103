"""`{% enrollment_panel client %}`: the client page's enrollment and care-team sections, with
the forms each viewer may use; `{{ value|phase_label }}` names a phase;
`{% programs_directed as programs %}` lists a director's programs."""

from typing import Any

from django import template

from openiop.programs import selectors, services
from openiop.programs.enrollment_forms import CareTeamSeatForm, PhaseChangeForm, TrackAssignForm
from openiop.programs.models import OPEN_PHASES, Client, Phase, Program, Track

register = template.Library()


@register.filter
def phase_label(value: str | None) -> str:
    """The label of a phase value ("Step-down" for "step_down"); a dash for none."""
    if not value:
        return "\u2014"
    try:
        return str(Phase(value).label)
    except ValueError:
        return value


@register.simple_tag(takes_context=True)
def programs_directed(context: dict[str, Any]) -> list[Program]:
    """The programs the signed-in director runs, for the links on their home page."""
    return list(selectors.programs_directed_by(context["user"]).order_by("name"))


@register.inclusion_tag("programs/enrollment/_panel.html", takes_context=True)
def enrollment_panel(context: dict[str, Any], client: Client) -> dict[str, Any]:
    """The current enrollment (phase, track, weekly requirement, history) and the care team.

    Forms appear only for those who may use them: phase and track for the program's director
    and the client's clinicians, the care team for the director and the primary clinician.
    """
    user = context["user"]
    enrollment = selectors.current_enrollment(client)
    may_move = selectors.may_move_phase(user, client)
    may_manage_team = selectors.may_manage_care_team(user, client)
    is_open = enrollment is not None and enrollment.phase in OPEN_PHASES
    panel: dict[str, Any] = {
        "client": client,
        "enrollment": enrollment,
        "history": enrollment.transitions.select_related("actor") if enrollment else [],
        "care_team": selectors.care_team_of(client),
        "may_move": may_move,
        "may_manage_team": may_manage_team,
        "csrf_token": context.get("csrf_token"),
    }
    if enrollment is not None and may_move and is_open:
        panel["phase_form"] = PhaseChangeForm.for_enrollment(enrollment)
        tracks = Track.objects.filter(program_id=enrollment.program_id, is_active=True)
        panel["track_form"] = TrackAssignForm(
            tracks=tracks.order_by("name"), initial={"track": enrollment.track_id}
        )
        if enrollment.phase == Phase.INTAKE:
            panel["activation_problems"] = services.activation_problems(enrollment)
    if may_manage_team:
        candidates = selectors.care_team_candidates(client)
        if candidates.exists():
            panel["care_team_form"] = CareTeamSeatForm(candidates=candidates)
    return panel
