from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "safepassage.intake"

    def ready(self) -> None:
        from safepassage.cases.retention import case_shredded
        from safepassage.intake import sessions

        def end_his_sessions(sender: object, case_id: int, **kwargs: object) -> None:
            sessions.end_sessions_of([case_id])

        case_shredded.connect(end_his_sessions, weak=False, dispatch_uid="intake-sessions")
