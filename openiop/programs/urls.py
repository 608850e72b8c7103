from django.urls import path

from openiop.programs import views

app_name = "programs"
urlpatterns = [
    path("me/", views.my_record, name="my_record"),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
    path("emergency-access/", views.break_glass, name="break_glass"),
    path("compliance/emergency-access/", views.break_glass_review, name="break_glass_review"),
]
