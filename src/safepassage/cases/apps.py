from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safepassage.cases"

    def ready(self) -> None:
        from safepassage.cases import splitting
        from safepassage.programmes.session_keys import legacy_key_opened

        def split_the_programme(
            sender: object, programme_id: int, private_key: bytes, **kwargs: object
        ) -> None:
            splitting.split(programme_id, private_key)

        legacy_key_opened.connect(split_the_programme, weak=False, dispatch_uid="cases-split")
