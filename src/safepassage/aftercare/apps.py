from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "safepassage.aftercare"
    label = "aftercare"
    verbose_name = "After-care"
