from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "openiop.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling and attendance"

    def ready(self) -> None:
        # Programs' discharge summary sums attendance without importing scheduling.
        from openiop.programs.selectors import register_attended_hours
        from openiop.scheduling.hours import enrollment_attended_hours

        register_attended_hours(enrollment_attended_hours)
        from openiop.scheduling import engagement  # badges, nav link, clinical names for notify

        engagement.register()
