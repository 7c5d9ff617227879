from django import template

from ..notice import current_notice

register = template.Library()


@register.inclusion_tag("consent/dialog.html", takes_context=True)
def consent_dialog(context) -> dict:
    """The same markup for everyone in a language (pages stay cacheable); consent.js decides whether to show it."""
    return {"notice": current_notice(), "LANGUAGE_CODE": context.get("LANGUAGE_CODE")}
