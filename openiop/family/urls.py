from django.urls import path

from openiop.family import views

app_name = "family"
urlpatterns = [
    path("family/invite/<str:uidb64>/<str:token>/", views.invite_accept, name="invite_accept"),
    path("family/clients/<int:client_id>/", views.overview, name="overview"),
    path("family/clients/<int:client_id>/schedule/", views.schedule, name="schedule"),
    path("family/clients/<int:client_id>/attendance/", views.attendance, name="attendance"),
    path("family/clients/<int:client_id>/safety-plan/", views.safety_plan, name="safety_plan"),
    path("family/clients/<int:client_id>/family-notes/", views.family_notes, name="family_notes"),
]
