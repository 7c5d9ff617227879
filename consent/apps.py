from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent and visitor profiles"

    def ready(self) -> None:
        from . import notice  # noqa: F401  (connects the cache-clearing receivers)
