"""The client's own scheduling pages (no client id in any path: always the signed-in one)."""

from django.urls import path

from openiop.scheduling.views import client

app_name = "my_schedule"
urlpatterns = [
    path("my-week/", client.my_week, name="my_week"),
    path("my-week/book/", client.book, name="book"),
    path("my-week/make-up/", client.makeup, name="makeup"),
    path("my-week/move/<int:booking_id>/", client.reschedule, name="reschedule"),
    path("my-week/cancel/<int:booking_id>/", client.cancel, name="cancel"),
    path("my-week/availability/", client.availability, name="availability"),
    path(
        "my-week/availability/<int:window_id>/remove/",
        client.availability_delete,
        name="availability_remove",
    ),
]
