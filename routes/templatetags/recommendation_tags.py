from django import template

from ..recommender.serving import popular_routes as most_viewed

register = template.Library()


@register.simple_tag
def popular_routes(limit: int = 4, exclude: int | None = None) -> list:
    """The same popular routes for every visitor (the page stays cacheable); see recommendations.js."""
    return most_viewed(limit, exclude=exclude)


@register.inclusion_tag("routes/includes/taste_chooser.html")
def taste_chooser() -> dict:
    """Themes, months and parties to choose from: the same for everyone, so the page stays cacheable."""
    from content.fields import MONTHS
    from content.models import Theme
    from routes.models import RoutePage

    return {"themes": Theme.objects.all(), "months": MONTHS, "parties": RoutePage.PARTY_CHOICES}
