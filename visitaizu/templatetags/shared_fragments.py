"""`{% shared_fragment %}`: a block of a page that is the same for every visitor, rendered once per publish."""

from django import template
from django.utils import translation

from visitaizu import page_cache

register = template.Library()


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, vary_on: list[template.base.FilterExpression]):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context: template.Context) -> str:
        request = context.get("request")
        host = request.get_host() if request is not None else ""
        varies = [str(expression.resolve(context)) for expression in self.vary_on]
        key = ":".join([self.name, translation.get_language() or "", host, *varies])
        return page_cache.shared(request, key, lambda: self.nodelist.render(context))


@register.tag
def shared_fragment(parser: template.base.Parser, token: template.base.Token) -> SharedFragmentNode:
    """Cache the enclosed markup in the page cache's generation, per language, host and the given values.

        {% shared_fragment "site-header" current_item %} ... {% endshared_fragment %}

    Only for markup every page shows alike, depending on nothing but published content and the values named
    (never on the visitor or the page): the first render after a publish is kept for everyone. Previews render
    it afresh.
    """
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a quoted name, then the values it varies on.")
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])
