from django.apps import AppConfig


class RecommendConfig(AppConfig):
    name = "paperhub.recommend"
    default_auto_field = "django.db.models.BigAutoField"
