from django.urls import path

from openiop.safety import views

app_name = "safety"
urlpatterns = [
    path("help/", views.help_now, name="help_now"),
]
