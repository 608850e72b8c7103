from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "openiop.notify"
    label = "notify"
    verbose_name = "Notifications"
