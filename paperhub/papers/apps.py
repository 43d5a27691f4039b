from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "paperhub.papers"
    label = "papers"
