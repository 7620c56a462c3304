from datetime import datetime
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from safepassage.cases.models import Case


class AftercareConfig(AppConfig):
    name = "safepassage.aftercare"
    label = "aftercare"
    verbose_name = "After-care"

    def ready(self) -> None:
        from safepassage.aftercare.models import LedgerEntry
        from safepassage.cases import dossier

        dossier.sealed_under_case_key(
            "aftercare.Consent", "statement", case_path="case", group="aftercare"
        )
        dossier.sealed_under_case_key(
            "aftercare.Equipment", "description", case_path="case", group="aftercare"
        )

        def paid_under_its_key(case_id: int, group: str) -> bool:
            """The ledger is append-only (enforced by the database): a payment's reference
            stays under the after-care key it was recorded with."""
            paid = LedgerEntry.objects.filter(claim__equipment__case_id=case_id)
            return group == "aftercare" and paid.exists()

        dossier.keeps_its_key(paid_under_its_key)

        from safepassage.aftercare import consents
        from safepassage.reception.models import CustodyEvent
        from safepassage.reception.services import custody_event_recorded

        def exchanged(case: "Case", kind: str, user: "User", now: datetime, **_: object) -> None:
            if kind == CustodyEvent.Kind.EXCHANGE:
                consents.close_exchange_list_choice(case, user=user, now=now)

        custody_event_recorded.connect(exchanged, weak=False, dispatch_uid="aftercare-exchanged")
