from django.apps import AppConfig


class TelehealthConfig(AppConfig):
    name = "openiop.telehealth"
    label = "telehealth"
    verbose_name = "Telehealth video"

    def ready(self) -> None:
        from openiop.resources.family import access_ended_register, consent_revoked_register
        from openiop.telehealth.services import family_seats_recheck

        # A family member's seat in a live room ends with the consent that let them in.
        consent_revoked_register(family_seats_recheck)
        access_ended_register(family_seats_recheck)
