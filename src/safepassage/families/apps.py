from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "safepassage.families"
    label = "families"
    verbose_name = "Families"

    def ready(self) -> None:
        """Families answers reception, retention and key rotation, which know nothing of it:
        a registered prisoner gets a tracing copy; a shredded case loses it and its matches."""
        from safepassage.cases.retention import case_shredded
        from safepassage.families import matching
        from safepassage.reception.models import Prisoner
        from safepassage.reception.services import prisoner_registered

        def copy_for_tracing(
            sender: object,
            prisoner: Prisoner,
            particulars: dict[str, str],
            keyring: dict[str, bytes],
            **kw: object,
        ) -> None:
            matching.keep_tracing_copy(prisoner, particulars, keyring)

        def destroy_the_copy(sender: object, case_id: int, **kw: object) -> None:
            matching.destroy_what_tracing_holds(case_id)

        prisoner_registered.connect(copy_for_tracing, weak=False, dispatch_uid="families-copy")
        case_shredded.connect(destroy_the_copy, weak=False, dispatch_uid="families-shred")

        from safepassage.programmes.session_keys import programme_key_opened

        def as_custody_holder(
            sender: object, programme_id: int, keyring: dict[str, bytes], **kw: object
        ) -> None:
            matching.copy_the_registered(programme_id, keyring)

        programme_key_opened.connect(as_custody_holder, weak=False, dispatch_uid="families-keys")

        # The prisoner's decision is his case's (custody key); who asks is sealed to the
        # custody key, so a key rotation re-seals it.
        from safepassage.cases import dossier, rekeying
        from safepassage.families import decisions

        dossier.sealed_under_case_key(
            "families.Decision", "statement", case_path="match__prisoner__case", group="custody"
        )
        rekeying.rotation_step.connect(
            decisions.reseal, weak=False, dispatch_uid="families-rotation-step"
        )
        rekeying.rotation_remaining.connect(
            decisions.left_to_reseal, weak=False, dispatch_uid="families-rotation-remaining"
        )
        rekeying.rotation_finished.connect(
            decisions.promote_resealed, weak=False, dispatch_uid="families-rotation-finish"
        )
