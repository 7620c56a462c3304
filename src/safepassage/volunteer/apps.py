from django.apps import AppConfig


class VolunteerConfig(AppConfig):
    name = "safepassage.volunteer"
    label = "volunteer"
    verbose_name = "Volunteer service"
