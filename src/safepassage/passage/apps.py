from django.apps import AppConfig


class PassageConfig(AppConfig):
    name = "safepassage.passage"
    label = "passage"
    verbose_name = "Passage"
