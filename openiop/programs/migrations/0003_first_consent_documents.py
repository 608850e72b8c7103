from django.db import migrations

from openiop.programs import consent_texts


def publish(apps, schema_editor):
    ConsentDocument = apps.get_model("programs", "ConsentDocument")
    for kind, title, body in [
        ("telehealth", consent_texts.TELEHEALTH_V1_TITLE, consent_texts.TELEHEALTH_V1),
        ("treatment", consent_texts.TREATMENT_V1_TITLE, consent_texts.TREATMENT_V1),
    ]:
        ConsentDocument.objects.get_or_create(
            kind=kind, version=1, defaults={"title": title, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_tracks_enrollments_referrals_consents_discharge")]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
