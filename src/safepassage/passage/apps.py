from django.apps import AppConfig


class PassageConfig(AppConfig):
    name = "safepassage.passage"
    label = "passage"
    verbose_name = "Passage"

    def ready(self) -> None:
        from safepassage.cases.retention import case_shredded
        from safepassage.passage.models import Crossing

        def destroy_the_plans(sender: object, case_id: int, **kwargs: object) -> None:
            Crossing.objects.filter(case_id=case_id).delete()

        case_shredded.connect(destroy_the_plans, weak=False, dispatch_uid="passage-plans")
