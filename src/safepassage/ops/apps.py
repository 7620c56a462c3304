from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "safepassage.ops"
    label = "ops"
    verbose_name = "Operations"
