"""Background jobs of the scheduling app (Django's tasks API; `db_worker` runs them)."""

from django.tasks import task

from openiop.scheduling.services.series import series_extend_all


@task
def series_extend_horizon() -> int:
    """Write every running series' occurrences up to the horizon (12 weeks ahead); run daily
    (cron: `manage.py extend_series`, or enqueue this). Returns the rows written."""
    return series_extend_all()
