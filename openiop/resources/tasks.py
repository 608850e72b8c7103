"""Background jobs of the resources app."""

from django.tasks import task

from openiop.accounts.models import Role, User
from openiop.resources.invites import family_invite_email
from openiop.resources.models import FamilyConsent


@task
def send_family_invite(user_id: int, consent_id: int) -> str:
    """Email the family member their link (the token is made now, never queued)."""
    user = User.objects.filter(pk=user_id, role=Role.FAMILY, is_active=True).first()
    consent = FamilyConsent.objects.select_related("client").filter(pk=consent_id).first()
    if user is None or consent is None or consent.revoked_at is not None:
        return "skipped"
    name = consent.client.preferred_name or consent.client.first_name
    family_invite_email(user, name).send()
    return "sent"
