from django.apps import AppConfig

EVERYONE = {"client", "family", "clinician", "facilitator", "director", "compliance", "admin"}


class NotifyConfig(AppConfig):
    name = "openiop.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from openiop.lib.slots import nav_register

        nav_register("Inbox", "notify:inbox", roles=EVERYONE, order=80)
        nav_register("Notifications", "notify:preferences", roles={"client", "family"}, order=85)
