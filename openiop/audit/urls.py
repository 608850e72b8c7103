from django.urls import path

from openiop.audit import views

app_name = "audit"
urlpatterns = [
    path("audit/", views.search, name="search"),
    path("audit/export.csv", views.export_csv, name="export_csv"),
]
