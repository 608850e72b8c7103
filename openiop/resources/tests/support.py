"""Family-sharing set-up shared by the tests of several apps."""

from datetime import timedelta

from django.utils import timezone

from openiop.conftest import World
from openiop.resources.models import FamilyConsent
from openiop.resources.services import FamilyShare, family_invite


def alex_shares_with_fay(world: World, *scopes: str, name: str = "Fay Family") -> FamilyConsent:
    """Alex consents to share `scopes` with Fay (the family persona) for 30 days."""
    share = FamilyShare(
        email=world.fay.email,
        name=name,
        relationship="sister",
        scopes=frozenset(scopes),
        purpose="Support at home and in family sessions",
        expires_at=timezone.now() + timedelta(days=30),
        signed_name="Alex Testperson",
    )
    return family_invite(client=world.alex, share=share, actor=world.alex.user)
