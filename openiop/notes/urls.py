from django.urls import path

from openiop.notes import views

app_name = "notes"
urlpatterns = [
    path("notes/", views.queue, name="queue"),
    path("notes/start/", views.note_start, name="start"),
    path("notes/<int:note_id>/", views.note_detail, name="note"),
    path("notes/<int:note_id>/cosign/", views.note_cosign, name="cosign"),
    path("notes/<int:note_id>/addenda/", views.note_addendum, name="addendum"),
    path("notes/<int:note_id>/codes/", views.note_codes, name="codes"),
    path("sessions/<int:session_id>/group-note/", views.group_note, name="group"),
    path("notes/private/", views.private_list, name="private_list"),
    path("notes/private/new/", views.private_new, name="private_new"),
    path("notes/private/<int:note_id>/", views.private_detail, name="private"),
    path("clients/<int:client_id>/notes/export/", views.record_export, name="export"),
]
