from django import template

from ..recommender.serving import popular_routes as most_viewed

register = template.Library()


@register.simple_tag
def popular_routes(limit: int = 4, exclude: int | None = None) -> list:
    """The same popular routes for every visitor (the page stays cacheable); see recommendations.js."""
    return most_viewed(limit, exclude=exclude)
