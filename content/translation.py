from modeltranslation.translator import TranslationOptions, register

from .models import Area, HomePage, SiteAlert, StandardPage, Theme


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name",)


@register(Area)
class AreaTranslation(TranslationOptions):
    fields = ("name", "description")


@register(HomePage)
class HomePageTranslation(TranslationOptions):
    fields = ("intro",)


@register(StandardPage)
class StandardPageTranslation(TranslationOptions):
    fields = ("intro", "body")


@register(SiteAlert)
class SiteAlertTranslation(TranslationOptions):
    fields = ("message",)
