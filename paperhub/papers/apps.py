from typing import Any

from django.apps import AppConfig
from django.db import connection
from django.db.models.signals import pre_migrate


def restore_suspended_keys(**_: Any) -> None:
    """Before migrations: add back foreign keys a killed bulk load left dropped (papers/loading.py)."""
    from paperhub.papers import loading  # (models are not importable while apps load)

    if "papers_suspendedforeignkey" in connection.introspection.table_names():
        loading.restore()


class PapersConfig(AppConfig):
    name = "paperhub.papers"
    label = "papers"

    def ready(self) -> None:
        pre_migrate.connect(restore_suspended_keys, sender=self)
