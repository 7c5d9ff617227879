from django.apps import AppConfig


class TranslationsConfig(AppConfig):
    name = "translations"
    verbose_name = "Translations"

    def ready(self) -> None:
        from . import checks  # noqa: F401
