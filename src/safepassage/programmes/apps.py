from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "safepassage.programmes"
