from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "openiop.care"
    label = "care"
    verbose_name = "Treatment plans and homework"

    def ready(self) -> None:
        from openiop.care import panels
        from openiop.lib.slots import badges_register, nav_register, panel_register

        panel_register("client_home", panels.client_home, order=30)
        panel_register("client_record", panels.client_record, order=40)
        badges_register(panels.caseload_badges)
        nav_register("Homework library", "care:library", roles={"clinician", "director"}, order=60)
