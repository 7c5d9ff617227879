from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Site content"

    def ready(self) -> None:
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
