"""Demo data for safety plans (fictional)."""


def seed_safety() -> None:
    """Idempotent: safe to run again."""
