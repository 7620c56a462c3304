from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "safepassage.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from safepassage.ops import checks  # noqa: F401  (registers the deployment checks)
