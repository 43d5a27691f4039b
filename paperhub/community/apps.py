from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "paperhub.community"
    default_auto_field = "django.db.models.BigAutoField"
