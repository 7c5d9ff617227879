"""Start-up checks for the two mistakes that break a translated Wagtail site silently."""

from django.apps import apps
from django.conf import settings
from django.core import checks
from modeltranslation.translator import NotRegistered, translator
from wagtail.models import Page


@checks.register()
def every_page_type_is_translated(app_configs, **kwargs):
    errors = []
    for model in apps.get_models():
        if issubclass(model, Page) and model is not Page and not model._meta.abstract:
            try:
                translator.get_options_for_model(model)
            except NotRegistered:
                errors.append(
                    checks.Error(
                        f"{model._meta.label} is not registered with modeltranslation.",
                        hint="Register it in its app's translation.py, even with fields = ().",
                        id="translations.E001",
                    )
                )
    return errors


@checks.register()
def every_language_has_a_catalogue(app_configs, **kwargs):
    from django.utils.translation import to_locale

    warnings = []
    for code, _name in settings.LANGUAGES:
        catalogue = settings.LOCALE_PATHS[0] / to_locale(code) / "LC_MESSAGES" / "django.po"
        if not catalogue.exists():
            warnings.append(
                checks.Warning(
                    f"No UI catalogue for {code}: {catalogue}",
                    hint=f"Run: manage.py makemessages -l {to_locale(code)} and translate it.",
                    id="translations.W001",
                )
            )
    return warnings
