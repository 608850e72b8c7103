"""The client's invitation: queue it, resend it, accept it (choose a password)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from openiop.accounts.models import User
from openiop.accounts.services import user_set_password
from openiop.audit.models import Action
from openiop.audit.services import audit_record
from openiop.programs.invites import user_for_invite
from openiop.programs.models import Client
from openiop.programs.tasks import send_client_invite


class InviteInvalid(Exception):
    """The link is unknown, expired or already used; nothing was written."""


def invite_queue(*, client: Client, actor: User | None) -> None:
    """Audit the invitation and send it once the caller's transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invite_queue must run inside the transaction that made the account")
    audit_record(
        actor=actor,
        action=Action.CREATE,
        object_type="client_invite",
        object_id=client.user_id,
        client_id=client.pk,
    )
    user_id = client.user_id
    transaction.on_commit(lambda: send_client_invite.enqueue(user_id=user_id))


@transaction.atomic
def invite_resend(*, client: Client, actor: User) -> None:
    """A fresh link by email; every earlier link stops working."""
    user = User.objects.select_for_update().get(pk=client.user_id)
    if user.has_usable_password():
        raise ValidationError(
            "This client has already chosen a password and can sign in. If they forgot it, "
            "they can ask for a new one from the sign-in page or from the site admin."
        )
    if not user.is_active:
        raise ValidationError("This account is switched off; ask the site admin first.")
    # A new unusable password changes what the token is bound to, so old links die.
    user.set_unusable_password()
    user.save(update_fields=["password"])
    invite_queue(client=client, actor=actor)


@transaction.atomic
def invite_accept(*, uidb64: str, token: str, password: str) -> User:
    """Set the client's first password from a good link; the link is spent by it.

    Raises InviteInvalid for a bad, used or expired link, ValidationError for a password the
    password rules refuse (the link stays good then).
    """
    user = user_for_invite(uidb64, token)
    if user is None:
        raise InviteInvalid
    # Re-read under a row lock: of two tabs submitting the same link, the second sees the
    # password the first one set, and its token no longer matches.
    User.objects.select_for_update().filter(pk=user.pk).first()
    user = user_for_invite(uidb64, token)
    if user is None:
        raise InviteInvalid
    profile = Client.objects.filter(user=user).only("pk").first()
    user_set_password(
        user=user, password=password, actor=user, client_id=profile.pk if profile else None
    )
    return user
