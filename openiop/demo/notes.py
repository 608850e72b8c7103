"""Demo data for progress notes (fictional)."""


def seed_notes() -> None:
    """Idempotent: safe to run again."""
