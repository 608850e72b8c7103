"""The directory over the JSON API: GET /resources, searched like the pages (category, ZIP
code, radius in miles). A client searches their own program's directory; staff name one of
their programs. Nothing here is PHI, so reads are not audited."""

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from openiop.accounts.api import Detail, ValidationDetail
from openiop.accounts.models import Role, User
from openiop.programs.models import Program
from openiop.programs.selectors import clients_visible_to
from openiop.resources import selectors
from openiop.resources.models import Category

router = Router(tags=["resources"])


class SearchIn(Schema):
    program: int | None = Field(default=None, description="Staff: one of your programs.")
    category: Category | None = None
    postal_code: str | None = Field(default=None, max_length=10, description="A US ZIP code.")
    radius: float = Field(default=selectors.DEFAULT_RADIUS, gt=0, le=250, description="Miles.")


class ResourceOut(Schema):
    id: int
    name: str
    category: str
    is_online: bool
    address: str
    phone: str
    url: str
    hours: str
    languages: str
    cost: str
    last_verified_on: date
    miles: float | None


def _program_for(user: User, program_id: int | None) -> Program:
    if user.role == Role.CLIENT:
        client = clients_visible_to(user).select_related("program").first()
        if client is None:
            raise HttpError(404, "No directory for this account.")
        return client.program
    program = selectors.programs_staffed_by(user).filter(pk=program_id or 0).first()
    if program is None:
        raise HttpError(404, "No such program.")
    return program


@router.get(
    "/resources",
    response={200: list[ResourceOut], 401: Detail, 404: Detail, 422: ValidationDetail | Detail},
)
def resource_search(request: HttpRequest, query: Query[SearchIn]) -> list[dict[str, object]]:
    """Listed entries, nearest first when a ZIP code is given (online ones last)."""
    program = _program_for(request.user, query.program)  # type: ignore[arg-type]
    try:
        found = selectors.directory_search(
            program,
            category=query.category or "",
            postal_code=query.postal_code or "",
            radius_miles=query.radius,
        )
    except selectors.UnknownPostalCode as error:
        raise HttpError(422, f"postal_code: {error}") from None
    return [
        {
            "id": f.resource.pk,
            "name": f.resource.name,
            "category": f.resource.category,
            "is_online": f.resource.is_online,
            "address": "" if f.resource.is_online else f.resource.address,
            "phone": f.resource.phone,
            "url": f.resource.url,
            "hours": f.resource.hours,
            "languages": f.resource.languages,
            "cost": f.resource.cost,
            "last_verified_on": f.resource.last_verified_on,
            "miles": f.miles,
        }
        for f in found
    ]
