from django.apps import AppConfig


class PassageConfig(AppConfig):
    name = "safepassage.passage"
    label = "passage"
    verbose_name = "Passage"

    def ready(self) -> None:
        from safepassage.cases import dossier, splitting

        dossier.sealed_under_case_key(
            "passage.PlanningConstraints", "encrypted", case_path="case", group="plan"
        )
        from safepassage.cases.retention import case_shredded
        from safepassage.passage.models import Crossing

        def destroy_the_plans(sender: object, case_id: int, **kwargs: object) -> None:
            Crossing.objects.filter(case_id=case_id).delete()

        case_shredded.connect(destroy_the_plans, weak=False, dispatch_uid="passage-plans")

        from safepassage.passage import plans
        from safepassage.programmes.session_keys import programme_key_opened

        def as_key_holder(
            sender: object, programme_id: int, keyring: dict[str, bytes], **kw: object
        ) -> None:
            plans.complete_applicant_copies(programme_id, keyring)

        programme_key_opened.connect(as_key_holder, weak=False, dispatch_uid="passage-keys")

        from safepassage.programmes import team

        team.key_pair_replaced.connect(plans.drop_unit_grants, dispatch_uid="passage-reset")
        team.no_longer_liaison.connect(plans.leave_units, dispatch_uid="passage-liaison-left")
        splitting.programme_split.connect(
            plans.seal_again_after_split, dispatch_uid="passage-split"
        )

        from safepassage.cases import rekeying

        rekeying.rotation_step.connect(
            plans.reseal, weak=False, dispatch_uid="passage-rotation-step"
        )
        rekeying.rotation_remaining.connect(
            plans.left_to_reseal, weak=False, dispatch_uid="passage-rotation-remaining"
        )
        rekeying.rotation_finished.connect(
            plans.promote_resealed, weak=False, dispatch_uid="passage-rotation-finish"
        )
