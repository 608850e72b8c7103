from django.urls import path

from openiop.programs.views import records

app_name = "programs"
urlpatterns = [
    path("me/", records.my_record, name="my_record"),
    path("clients/<int:client_id>/", records.client_detail, name="client_detail"),
    path("emergency-access/", records.break_glass, name="break_glass"),
    path("compliance/emergency-access/", records.break_glass_review, name="break_glass_review"),
]
