from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "routes"
    verbose_name = "Routes and spots"

    def ready(self) -> None:
        from .signals import register_signal_handlers

        register_signal_handlers()
