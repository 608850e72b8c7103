from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "openiop.resources"
    label = "resources"
    verbose_name = "Resources and referrals out"

    def ready(self) -> None:
        from openiop.lib.slots import panel_register
        from openiop.resources import panels

        panel_register("staff_home", panels.staff_home, order=60)
        panel_register("client_record", panels.client_record, order=60)
        panel_register("client_home", panels.client_home, order=60)
