from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "paperhub.jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Check PAPERHUB_SCHEDULE as every process starts: its job names are defined here (schedule.JOBS), above
        the settings, and a typo found only by a worker's housekeeping turned every periodic job off."""
        from paperhub.jobs import schedule  # (Django's way: models import once the apps are ready)

        schedule.enabled()
