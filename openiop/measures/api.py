"""Instruments and responses over the JSON API (API.md).

GET /instruments: the current definitions the caller's program uses.
POST /clients/{id}/responses: one administration, by the client or a care-team clinician.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from openiop.accounts.api import Detail, Text
from openiop.accounts.models import Role, User
from openiop.measures import instruments
from openiop.measures.models import ResponseSource
from openiop.measures.scoring import AnswersInvalid
from openiop.measures.selectors import client_for_answering
from openiop.measures.services import response_submit
from openiop.programs.models import Client, ProgramStaff

router = Router(tags=["measures"])


class OptionOut(Schema):
    value: int | str
    label: str


class ItemOut(Schema):
    id: str
    text: str
    kind: str
    options: list[OptionOut]
    optional: bool
    scored: bool
    ask_if: dict[str, Any] | None
    min: float | None
    max: float | None
    step: float | None


class InstrumentOut(Schema):
    code: str
    name: str
    title: str
    version: int
    attribution: str
    preamble: str
    items: list[ItemOut]


class ResponseIn(Schema):
    instrument: Text = Field(max_length=40)
    answers: dict[str, Any] = Field(max_length=200)


class ResponseOut(Schema):
    id: int
    total: int | None
    band: str
    flags: list[str]
    alert_id: int | None


def _program_id(user: User) -> int | None:
    if user.role == Role.CLIENT:
        return Client.objects.filter(user=user).values_list("program_id", flat=True).first()
    return ProgramStaff.objects.filter(user=user).values_list("program_id", flat=True).first()


@router.get("/instruments", response={200: list[InstrumentOut], 401: Detail})
def instrument_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Codes `phq9, gad7, pcl5, cssrs_screen, daily_checkin` (and the caller's program's own)
    with their items, options and skip logic (`ask_if`)."""
    user: User = request.user  # type: ignore[assignment]
    out = []
    for loaded in instruments.available(_program_id(user)):
        d = loaded.definition
        out.append(
            {
                "code": d.code,
                "name": d.name,
                "title": d.title,
                "version": loaded.version.version,
                "attribution": d.attribution,
                "preamble": d.preamble,
                "items": [
                    {
                        **item.model_dump(include={"id", "text", "kind", "optional", "scored"}),
                        "options": [o.model_dump() for o in item.options],
                        "ask_if": item.ask_if.model_dump(exclude_none=True)
                        if item.ask_if
                        else None,
                        "min": item.min,
                        "max": item.max,
                        "step": item.step,
                    }
                    for item in d.items
                ],
            }
        )
    return out


@router.post(
    "/clients/{client_id}/responses",
    response={
        200: ResponseOut,
        201: ResponseOut,
        401: Detail,
        403: Detail,
        404: Detail,
        422: Detail,
    },
)
def response_create(
    request: HttpRequest, client_id: int, body: ResponseIn
) -> Status[dict[str, Any]]:
    """Score and save one administration → `{id, total, band, flags, alert_id}` (201).

    Each call is a new administration; the identical body again within 10 seconds from the
    same caller is a double tap and answers 200 with the first response. 422 names the item
    (missing, out of range, not asked by the skip logic, unknown) and nothing is saved."""
    user: User = request.user  # type: ignore[assignment]
    try:
        client = client_for_answering(user, client_id)
    except PermissionDenied as refused:
        raise HttpError(403, str(refused)) from None
    source = ResponseSource.CLIENT if user.role == Role.CLIENT else ResponseSource.CLINICIAN
    try:
        submitted = response_submit(
            client=client, actor=user, code=body.instrument, answers=body.answers, source=source
        )
    except AnswersInvalid as bad:
        raise HttpError(422, bad.message) from None
    response = submitted.response
    return Status(
        200 if submitted.duplicate else 201,
        {
            "id": response.pk,
            "total": response.total,
            "band": response.band,
            "flags": response.flags,
            "alert_id": response.alert_id,
        },
    )
