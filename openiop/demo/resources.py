"""Demo data for resource directory (fictional)."""


def seed_resources() -> None:
    """Idempotent: safe to run again."""
