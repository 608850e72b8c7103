from io import StringIO

import pytest
from django.core.management import call_command

from openiop.accounts.models import User
from openiop.audit.services import iter_chain_breaks
from openiop.programs.models import CareTeamMember, Client, Program


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (
        User.objects.count(),
        Client.objects.count(),
        Program.objects.count(),
        CareTeamMember.objects.count(),
    )
    call_command("seed_demo", "--quiet", stdout=StringIO())
    assert counts == (
        User.objects.count(),
        Client.objects.count(),
        Program.objects.count(),
        CareTeamMember.objects.count(),
    )
    assert counts[1] >= 4
    text = out.getvalue()
    assert "clinician@demo.openiop.test" in text and "totp secret" in text
    # Every demo address is on the reserved .test domain: obviously fictional.
    assert all(u.email.endswith(".test") for u in User.objects.all())
    assert list(iter_chain_breaks()) == []
