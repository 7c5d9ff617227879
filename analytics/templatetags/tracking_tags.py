from django import template
from wagtail.models import Page

register = template.Library()


@register.filter
def page_type_label(page: Page) -> str:
    """The page's model as the tracker reports it ("routes.routepage"); intake maps it to a content type."""
    return page.specific_class._meta.label_lower if page.specific_class else ""
