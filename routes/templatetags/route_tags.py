"""Display helpers for routes and spots: durations, the offline SVG map and directions links."""

import math
from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

from translations.routing import page_url

register = template.Library()

MAP_WIDTH, MAP_HEIGHT, MAP_PADDING = 640, 400, 36


@register.filter
def minutes_label(minutes: int) -> str:
    hours, rest = divmod(int(minutes or 0), 60)
    if hours and rest:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)s h") % {"h": hours}
    return _("%(m)s min") % {"m": rest}


@register.simple_tag(takes_context=True)
def spot_url(context, stop) -> str | None:
    """The stop's live spot's URL, worked out once for the stop list and the JSON-LD."""
    return page_url(stop.live_spot, context.get("request"))


@register.simple_tag
def directions_url(latitude: Decimal | None, longitude: Decimal | None, name: str = "") -> str:
    """A link to the visitor's map app; nothing is requested from a third party until they follow it."""
    if latitude is not None and longitude is not None:
        return settings.DIRECTIONS_URL + urlencode({"api": 1, "destination": f"{latitude},{longitude}"})
    return settings.DIRECTIONS_URL + urlencode({"api": 1, "destination": f"{name}, Fukushima, Japan"})


def project(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Equirectangular projection of (lat, lng) into the SVG box, north up, aspect kept."""
    lats = [lat for lat, _lng in points]
    lngs = [lng for _lat, lng in points]
    shrink = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lngs) - min(lngs)) * shrink, 1e-3)
    span_y = max(max(lats) - min(lats), 1e-3)
    scale = min((MAP_WIDTH - 2 * MAP_PADDING) / span_x, (MAP_HEIGHT - 2 * MAP_PADDING) / span_y)
    offset_x = (MAP_WIDTH - span_x * scale) / 2
    offset_y = (MAP_HEIGHT - span_y * scale) / 2
    return [
        (round(offset_x + (lng - min(lngs)) * shrink * scale, 1), round(offset_y + (max(lats) - lat) * scale, 1))
        for lat, lng in points
    ]


@register.inclusion_tag("routes/includes/stop_map.html")
def stop_map(places: list[dict], label: str) -> dict:
    """An SVG map drawn from coordinates alone: works with no network and sends nothing to anyone.

    `places` are dicts with number, name, latitude, longitude; places without coordinates are left out.
    """
    located = [place for place in places if place.get("latitude") is not None and place.get("longitude") is not None]
    if not located:
        return {"markers": [], "label": label}
    xy = project([(float(place["latitude"]), float(place["longitude"])) for place in located])
    markers = [{**place, "x": x, "y": y} for place, (x, y) in zip(located, xy, strict=True)]
    return {
        "markers": markers,
        "path": " ".join(f"{marker['x']},{marker['y']}" for marker in markers),
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "label": label,
        "missing": len(places) - len(located),
    }
