from django.apps import AppConfig


class VolunteerConfig(AppConfig):
    name = "safepassage.volunteer"
    label = "volunteer"
    verbose_name = "Volunteer service"

    def ready(self) -> None:
        from safepassage.cases import dossier

        dossier.sealed_under_case_key(
            "volunteer.VolunteerService", "record", case_path="case", group="volunteer"
        )

        from safepassage.aftercare.consents import consent_withdrawn
        from safepassage.volunteer import services

        consent_withdrawn.connect(services.consent_withdrawn, dispatch_uid="volunteer-consent")
