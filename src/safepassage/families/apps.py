from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "safepassage.families"
    label = "families"
    verbose_name = "Families"
