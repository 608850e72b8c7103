"""Staff scheduling pages."""

from django.urls import path

from openiop.scheduling import engagement
from openiop.scheduling.views import board, sessions, track_groups

app_name = "scheduling"
urlpatterns = [
    path("schedule/day/", sessions.day, name="day"),
    path("schedule/<slug:slug>/series/new/", sessions.series_new, name="series_new"),
    path("schedule/sessions/<int:session_id>/", sessions.session_detail, name="session"),
    path(
        "schedule/sessions/<int:session_id>/move/", sessions.session_move_view, name="session_move"
    ),
    path(
        "schedule/sessions/<int:session_id>/cancel/",
        sessions.session_cancel_view,
        name="session_cancel",
    ),
    path("caseload/needs/", engagement.needs, name="engagement"),
    path("programs/<slug:slug>/capacity/", board.capacity, name="capacity"),
    path("programs/<slug:slug>/closures/", board.closures, name="closures"),
    path(
        "clients/<int:client_id>/track-groups/",
        track_groups.join_track_groups,
        name="join_track_groups",
    ),
]
