"""Demo data for Janus rooms (fictional)."""


def seed_telehealth() -> None:
    """Idempotent: safe to run again."""
