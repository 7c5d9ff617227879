from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from . import enrichment  # noqa: F401  (connects the goal-domain cache receivers)
