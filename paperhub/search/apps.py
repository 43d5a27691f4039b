from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "paperhub.search"
    label = "search"
