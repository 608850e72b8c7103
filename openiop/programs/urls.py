from django.urls import path

from openiop.programs.views import discharge, records

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
]
