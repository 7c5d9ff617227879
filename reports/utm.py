"""Campaign links tagged with UTM parameters, as the rollups read them (`utm_source`, `utm_medium`,
`utm_campaign`; content and term ride along for the marketers' own tools)."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LENGTH = 100  # the rollups keep at most this many characters of a tag
VALUE = re.compile(r"^[\w.+-]+$")  # letters (any script), digits, _ . + -: nothing a URL or a report mangles


def clean_value(value: str) -> str:
    """A tag value as it should be typed: trimmed, lower-case (so "Instagram" and "instagram" count as one)."""
    value = (value or "").strip().lower()
    if len(value) > MAX_LENGTH:
        raise ValidationError(_("At most %(max)d characters.") % {"max": MAX_LENGTH})
    if value and not VALUE.match(value):
        raise ValidationError(
            _("Use letters, digits and - _ . + only, no spaces or other signs (e.g. autumn-leaves-2026).")
        )
    return value


def tagged_link(destination: str, source: str, medium: str, campaign: str, content: str = "", term: str = "") -> str:
    """The destination with the UTM tags added (replacing any it already had), its fragment kept at the end."""
    parts = urlsplit(destination)
    tags = {"utm_source": source, "utm_medium": medium, "utm_campaign": campaign, "utm_content": content,
            "utm_term": term}  # fmt: skip
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key not in tags]
    query += [(key, value) for key, value in tags.items() if value]
    return urlunsplit(parts._replace(query=urlencode(query)))
