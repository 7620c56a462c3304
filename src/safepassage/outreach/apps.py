from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "safepassage.outreach"
    label = "outreach"
    verbose_name = "Outreach"
