from django.apps import AppConfig


class TranslationsConfig(AppConfig):
    name = "translations"
    verbose_name = "Translations"

    def ready(self) -> None:
        from django.apps import apps

        from . import checks  # noqa: F401
        from .mixins import TranslatedPageMixin
        from .routing import route_by_localized_slug, share_site_root_paths

        # After wagtail-modeltranslation has patched `route` onto every page model (its app is ready first).
        for model in apps.get_models():
            if issubclass(model, TranslatedPageMixin):
                model.route = route_by_localized_slug
        share_site_root_paths()
