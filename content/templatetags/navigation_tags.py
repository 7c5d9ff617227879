from django import template
from django.http import HttpRequest
from wagtail.models import Page, Site

from content.models import SiteAlert, StandardPage
from visitaizu import page_cache

register = template.Library()

# Links only: the title and URL path (every language, as either may fall back), not the whole row.
LINK_FIELDS = ("title", "url_path", "show_in_menus", "path", "depth", "content_type")


def _load_site_pages(site: Site) -> dict[str, list[Page]]:
    children = list(site.root_page.get_children().live().only(*LINK_FIELDS))
    footer_type = StandardPage.content_type_id_for_menu()
    return {
        "menu": [page for page in children if page.show_in_menus and page.content_type_id != footer_type],
        "footer": [page for page in children if page.content_type_id == footer_type],
    }


def _site_pages(request: HttpRequest | None) -> dict[str, list[Page]]:
    """The home page's live children for the header and the footer: the same on every page, so shared until the
    next publish (the rows hold every language's title and path, so one copy serves all languages)."""
    if request is None:
        return {"menu": [], "footer": []}
    if not hasattr(request, "_site_pages"):
        site = Site.find_for_request(request)
        request._site_pages = (
            page_cache.shared(request, f"site-pages:{site.pk}", lambda: _load_site_pages(site))
            if site
            else {"menu": [], "footer": []}
        )
    return request._site_pages


@register.simple_tag(takes_context=True)
def main_menu(context) -> list[Page]:
    return _site_pages(context.get("request"))["menu"]


@register.simple_tag(takes_context=True)
def current_menu_item(context, page: Page | None) -> int | None:
    """The page's id when the header menu links to it (marked as the current page there), else None."""
    if not isinstance(page, Page):
        return None
    menu = _site_pages(context.get("request"))["menu"]
    return page.pk if any(item.pk == page.pk for item in menu) else None


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
