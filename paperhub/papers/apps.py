from django.apps import AppConfig
from django.db.models.signals import pre_migrate


class PapersConfig(AppConfig):
    name = "paperhub.papers"
    label = "papers"

    def ready(self) -> None:
        from paperhub.papers import loading  # (Django's way: models import once the apps are ready)

        pre_migrate.connect(loading.before_migrations, sender=self)
