from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "safepassage.reception"
    label = "reception"
    verbose_name = "Reception"
