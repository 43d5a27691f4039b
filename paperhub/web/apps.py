from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "paperhub.web"
    label = "web"
