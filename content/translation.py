from modeltranslation.translator import TranslationOptions, register

from .models import Area, HomePage, StandardPage, Theme


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
