from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "openiop.safety"
    label = "safety"
    verbose_name = "Safety"

    def ready(self) -> None:
        from openiop.lib.slots import badges_register, nav_register, panel_register
        from openiop.safety import panels
        from openiop.safety.escalation import route_new_alert
        from openiop.safety.services import on_alert_raised

        on_alert_raised(route_new_alert)
        nav_register("Help now", "safety:help_now", roles={"client"}, order=1, emphasis=True)
        nav_register(
            "Alerts", "safety:alert_list", roles={"clinician", "facilitator", "director"}, order=5
        )
        panel_register("staff_home", panels.staff_alerts, order=1)
        panel_register("staff_home", panels.plans_due, order=40)
        panel_register("staff_home", panels.director_links, order=45)
        panel_register("client_home", panels.client_help, order=1)
        panel_register("client_record_top", panels.client_safety, order=5)
        badges_register(panels.alert_badges, order=1)
