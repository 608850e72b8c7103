from django.urls import path

from openiop.programs.views import discharge, enrollment, programs, records

app_name = "programs"
urlpatterns = [
    path("me/", records.my_record, name="my_record"),
    path("clients/<int:client_id>/", records.client_detail, name="client_detail"),
    path("emergency-access/", records.break_glass, name="break_glass"),
    path("clients/<int:client_id>/discharge/", discharge.summary, name="discharge"),
    path("clients/<int:client_id>/discharge/sign/", discharge.sign, name="discharge_sign"),
    path("clients/<int:client_id>/discharge/pdf/", discharge.pdf, name="discharge_pdf"),
    path(
        "clients/<int:client_id>/discharge/aftercare/",
        discharge.aftercare,
        name="discharge_aftercare",
    ),
    path("compliance/emergency-access/", records.break_glass_review, name="break_glass_review"),
    # Enrollment phases, track and care team, from the client's page.
    path("clients/<int:client_id>/phase/", enrollment.phase_change, name="phase_change"),
    path("clients/<int:client_id>/track/", enrollment.track_assign, name="track_assign"),
    path(
        "clients/<int:client_id>/enrollment/open/",
        enrollment.enrollment_start,
        name="enrollment_start",
    ),
    path("clients/<int:client_id>/care-team/", enrollment.care_team_add, name="care_team_add"),
    path(
        "clients/<int:client_id>/care-team/<int:member_id>/remove/",
        enrollment.care_team_remove,
        name="care_team_remove",
    ),
    # The director's program board, settings and tracks.
    path("programs/<slug:slug>/board/", programs.board, name="program_board"),
    path("programs/<slug:slug>/settings/", programs.program_settings, name="program_settings"),
    path("programs/<slug:slug>/tracks/", programs.track_add, name="track_add"),
    path("programs/<slug:slug>/tracks/<int:track_id>/", programs.track_edit, name="track_edit"),
]
