from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "safepassage.reception"
    label = "reception"
    verbose_name = "Reception"

    def ready(self) -> None:
        from safepassage.cases import dossier

        dossier.sealed_under_case_key(
            "reception.Prisoner", "particulars", case_path="case", group="custody"
        )
        dossier.sealed_under_case_key(
            "reception.CustodyEvent", "details", case_path="prisoner__case", group="custody"
        )
