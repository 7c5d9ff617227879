from modeltranslation.translator import TranslationOptions, register

from .models import ManualCondition, RouteIndexPage, RoutePage, RouteStop, SpotIndexPage, SpotPage


@register(RouteIndexPage)
class RouteIndexPageTranslation(TranslationOptions):
    fields = ("intro",)


@register(SpotIndexPage)
class SpotIndexPageTranslation(TranslationOptions):
    fields = ("intro",)


@register(SpotPage)
class SpotPageTranslation(TranslationOptions):
    fields = (
        "summary",
        "description",
        "opening_hours",
        "closed_days",
        "fees",
        "access_train",
        "access_bus",
        "access_car",
    )


@register(RoutePage)
class RoutePageTranslation(TranslationOptions):
    fields = ("summary", "description", "start_place", "end_place")


@register(RouteStop)
class RouteStopTranslation(TranslationOptions):
    fields = ("place_name", "note", "transfer_note")


@register(ManualCondition)
class ManualConditionTranslation(TranslationOptions):
    fields = ("message",)
