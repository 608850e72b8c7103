"""`manage.py audit_verify`: exit 0 on an intact chain; non-zero, naming the first bad event,
when a row was edited or deleted behind the application's back."""

import pytest
from django.core.management import ManagementUtility
from django.db import IntegrityError, transaction

from openiop.audit.models import AuditEvent
from openiop.audit.testing import append_only_suspended
from openiop.conftest import World


def _verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the command as `manage.py audit_verify` would: (exit code, stdout, stderr)."""
    try:
        ManagementUtility(["manage.py", "audit_verify"]).execute()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def test_intact_chain_exits_zero_and_prints_the_head(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    head = AuditEvent.objects.order_by("-seq").first()
    assert head is not None and head.seq > 10

    code, out, err = _verify(capsys)

    assert code == 0
    assert f"audit chain intact: {head.seq} events verified" in out
    assert f"head seq={head.seq} hash={head.hash}" in out
    assert err == ""


def test_empty_trail_is_intact(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _verify(capsys)

    assert code == 0
    assert "0 events verified" in out


def test_edited_row_is_caught_and_named(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    target = AuditEvent.objects.order_by("seq")[4]
    with append_only_suspended():
        AuditEvent.objects.filter(pk=target.pk).update(actor_role="director")

    code, out, err = _verify(capsys)

    assert code != 0
    assert f"audit chain broken at event seq={target.seq} " in err
    assert "the row was edited" in err
    assert "intact" not in out


def test_edited_row_with_its_hash_recomputed_is_caught_at_the_next_event(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    target = AuditEvent.objects.order_by("seq")[4]
    target.reason = "forged"
    forged_hash = target.compute_hash()
    with append_only_suspended():
        AuditEvent.objects.filter(pk=target.pk).update(reason="forged", hash=forged_hash)

    code, _, err = _verify(capsys)

    assert code != 0
    assert f"audit chain broken at event seq={target.seq + 1} " in err
    assert "prev_hash does not match" in err


def test_deleted_row_leaves_a_gap_that_is_named(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    target = AuditEvent.objects.order_by("seq")[6]
    with append_only_suspended():
        AuditEvent.objects.filter(pk=target.pk).delete()

    code, _, err = _verify(capsys)

    assert code != 0
    assert f"audit chain broken at event seq={target.seq + 1} " in err
    assert f"sequence gap: expected {target.seq}, found {target.seq + 1}" in err
    assert f"seq={target.seq} missing" in err


def test_several_deleted_rows_are_named_as_a_range(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with append_only_suspended():
        AuditEvent.objects.filter(seq__in=[3, 4, 5]).delete()

    code, _, err = _verify(capsys)

    assert code != 0
    assert "audit chain broken at event seq=6 " in err
    assert "seq=3..5 missing" in err


def test_triggers_are_back_after_the_tampering_helper(world: World) -> None:
    with append_only_suspended():
        pass

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(reason="tampered")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).delete()
