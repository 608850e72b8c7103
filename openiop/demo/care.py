"""Demo data for treatment plans (fictional)."""


def seed_care() -> None:
    """Idempotent: safe to run again."""
