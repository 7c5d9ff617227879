from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "routes"
    verbose_name = "Routes and spots"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from analytics.models import CountryMarket, Market
        from visitaizu import page_cache

        # the recommender's catalogue and card tables hold market names and countries, keyed on this generation
        for model in (Market, CountryMarket):
            post_save.connect(page_cache.invalidate, sender=model, dispatch_uid=f"recommender-save-{model.__name__}")
            post_delete.connect(
                page_cache.invalidate, sender=model, dispatch_uid=f"recommender-delete-{model.__name__}"
            )
