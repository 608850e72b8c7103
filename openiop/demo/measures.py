"""Demo data for instruments as data (fictional)."""


def seed_measures() -> None:
    """Idempotent: safe to run again."""
