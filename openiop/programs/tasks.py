"""Background jobs of the programs app (Django's tasks API; `db_worker` runs them)."""

from django.tasks import task

from openiop.accounts.models import Role, User
from openiop.programs.invites import invite_email


@task
def send_client_invite(user_id: int) -> str:
    """Email a client the link to choose their password; skipped once a password is set.

    The token is made here, when the mail goes, so it is never stored in the task queue.
    """
    user = User.objects.filter(pk=user_id, role=Role.CLIENT, is_active=True).first()
    if user is None or user.has_usable_password():
        return "skipped"
    invite_email(user).send()
    return "sent"
