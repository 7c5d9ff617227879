from django import template
from django.http import HttpRequest
from wagtail.models import Page, Site

from content.models import SiteAlert, StandardPage

register = template.Library()


def _site_pages(request: HttpRequest | None) -> dict[str, list[Page]]:
    """The home page's live children, fetched once per request for both the header and the footer."""
    if request is None:
        return {"menu": [], "footer": []}
    if not hasattr(request, "_site_pages"):
        site = Site.find_for_request(request)
        # Links only: the title and URL path (every language, as either may fall back), not the whole row.
        fields = ("title", "url_path", "show_in_menus", "path", "depth", "content_type")
        children = list(site.root_page.get_children().live().only(*fields)) if site else []
        footer_type = StandardPage.content_type_id_for_menu()
        request._site_pages = {
            "menu": [page for page in children if page.show_in_menus and page.content_type_id != footer_type],
            "footer": [page for page in children if page.content_type_id == footer_type],
        }
    return request._site_pages


@register.simple_tag(takes_context=True)
def main_menu(context) -> list[Page]:
    return _site_pages(context.get("request"))["menu"]


@register.simple_tag(takes_context=True)
def footer_menu(context) -> list[Page]:
    """Practical information, access and the privacy notice: always reachable, but kept out of the header."""
    return _site_pages(context.get("request"))["footer"]


@register.simple_tag(takes_context=True)
def site_home(context) -> Page | None:
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    return site.root_page if site else None


@register.simple_tag
def site_alerts() -> list[SiteAlert]:
    return SiteAlert.current()
