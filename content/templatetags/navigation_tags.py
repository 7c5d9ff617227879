from django import template
from wagtail.models import Page, Site

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context) -> list[Page]:
    site = Site.find_for_request(context["request"]) if context.get("request") else None
    if site is None:
        return []
    return list(site.root_page.get_children().live().in_menu().specific())


@register.simple_tag(takes_context=True)
def footer_menu(context) -> list[Page]:
    """Practical information, access and the privacy notice: always reachable, but kept out of the header."""
    from content.models import StandardPage

    site = Site.find_for_request(context["request"]) if context.get("request") else None
    if site is None:
        return []
    return list(StandardPage.objects.child_of(site.root_page).live())


@register.simple_tag(takes_context=True)
def site_home(context) -> Page | None:
    site = Site.find_for_request(context["request"]) if context.get("request") else None
    return site.root_page.specific if site else None


@register.simple_tag
def site_alerts() -> list:
    from content.models import SiteAlert

    return SiteAlert.current()
