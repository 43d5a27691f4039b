from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class AccountsConfig(AppConfig):
    name = "paperhub.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from paperhub.accounts import signals  # (Django's way: models import once the apps are ready)

        post_save.connect(signals.username_saved, sender=settings.AUTH_USER_MODEL,
                          dispatch_uid="paperhub.accounts.username_saved")
