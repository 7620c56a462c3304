from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "safepassage.families"
    label = "families"
    verbose_name = "Families"

    def ready(self) -> None:
        """Families answers reception and retention, which know nothing of it: a registered
        prisoner gets a tracing copy; a shredded case loses it."""
        from safepassage.cases.retention import case_shredded
        from safepassage.families import matching
        from safepassage.reception.models import Prisoner
        from safepassage.reception.services import prisoner_registered

        def copy_for_tracing(
            sender: object, prisoner: Prisoner, particulars: dict[str, str], **kw: object
        ) -> None:
            matching.keep_tracing_copy(prisoner, particulars)

        def destroy_the_copy(sender: object, case_id: int, **kw: object) -> None:
            matching.destroy_tracing_copy(case_id)

        prisoner_registered.connect(copy_for_tracing, weak=False, dispatch_uid="families-copy")
        case_shredded.connect(destroy_the_copy, weak=False, dispatch_uid="families-shred")
