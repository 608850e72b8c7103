from django.apps import AppConfig


class FamilyConfig(AppConfig):
    name = "openiop.family"
    label = "family"
    verbose_name = "Family portal"

    def ready(self) -> None:
        from openiop.family import panels
        from openiop.lib.slots import panel_register
        from openiop.resources.family import access_ended_register

        panel_register("family_home", panels.family_home)
        access_ended_register(panels.revoke_calendar_feeds)
