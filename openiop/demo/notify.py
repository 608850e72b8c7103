"""Demo data for notification gateway (email (fictional)."""


def seed_notify() -> None:
    """Idempotent: safe to run again."""
