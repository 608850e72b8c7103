"""The JSON API at /api/v1/: one NinjaAPI, each app adds its router."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from openiop.accounts.api import BearerAuth
from openiop.accounts.api import router as accounts_router
from openiop.audit.api import router as audit_router
from openiop.care.api import router as care_router
from openiop.family.api import router as family_router
from openiop.measures.api import router as measures_router
from openiop.notes.api import router as notes_router
from openiop.notify.api import router as notify_router
from openiop.programs.api import router as programs_router
from openiop.programs.api_programs import router as program_setup_router
from openiop.programs.api_referrals import router as referrals_router
from openiop.resources.api import router as resources_router
from openiop.safety.api import router as safety_router
from openiop.scheduling.api import router as sessions_router
from openiop.scheduling.api_attendance import router as attendance_router
from openiop.scheduling.api_bookings import router as bookings_router
from openiop.telehealth.api import router as telehealth_router

api = NinjaAPI(
    title="OpenIOP API",
    version="1",
    urls_namespace="api",
    auth=BearerAuth(),
    docs_url="/docs",
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Missing, expired or revoked token."}, status=401
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Django would answer with its HTML 400 page; API callers get JSON like every other error.
    return api.create_response(request, {"detail": "The request body is too large."}, status=413)


api.add_router("", accounts_router)
api.add_router("", programs_router)
api.add_router("", program_setup_router)
api.add_router("", referrals_router)
api.add_router("", audit_router)
api.add_router("", bookings_router)
api.add_router("", sessions_router)
api.add_router("", attendance_router)
api.add_router("", notify_router)
api.add_router("", resources_router)
api.add_router("", safety_router)
api.add_router("", measures_router)
api.add_router("", telehealth_router)
api.add_router("", care_router)
api.add_router("", notes_router)
api.add_router("", family_router)
