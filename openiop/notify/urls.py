from django.urls import path

from openiop.notify import views

app_name = "notify"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read_all"),
    path("inbox/<int:message_id>/read/", views.inbox_read, name="inbox_read"),
    path("inbox/tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("me/notifications/", views.preferences, name="preferences"),
    path("notify/sms/inbound/", views.sms_inbound, name="sms_inbound"),
]
