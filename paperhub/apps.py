from django.apps import AppConfig


class PaperhubConfig(AppConfig):
    """The project package itself, registered so its management commands are found."""

    name = "paperhub"
    label = "paperhub"
