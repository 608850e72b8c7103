"""The Django admin: site admins only, after TOTP; accounts and settings, never client records."""

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.conftest import World


def test_site_admin_manages_accounts_and_is_audited(
    world: World, login_as: Callable[[User], HttpClient]
) -> None:
    client = login_as(world.ada)
    index = client.get("/admin/")
    assert index.status_code == 200
    body = index.content.decode()
    assert "Users" in body and "Programs" in body
    assert "Client" not in body.replace("Clients", "")  # no clinical models listed
    assert client.get("/admin/programs/client/").status_code == 404
    change = client.post(
        f"/admin/accounts/user/{world.quinn.pk}/change/",
        {
            "email": world.quinn.email,
            "display_name": "Quinn Renamed",
            "role": "clinician",
            "time_zone": "UTC",
            "is_active": "",
        },
    )
    assert change.status_code == 302, change.content.decode()[:2000]
    world.quinn.refresh_from_db()
    assert not world.quinn.is_active
    assert (
        AuditEvent.objects.filter(
            actor=world.ada, object_type="admin.accounts.user", object_id=str(world.quinn.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize("persona", ["casey", "dale", "cora"])
def test_other_staff_cannot_enter_the_admin(
    world: World, login_as: Callable[[User], HttpClient], persona: str
) -> None:
    response = login_as(getattr(world, persona)).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_site_admin_without_second_factor_is_kept_out(world: World, client: HttpClient) -> None:
    client.force_login(world.ada)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/mfa/")
