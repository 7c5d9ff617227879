"""Counts what visitors search for, per day and language, for the staff report; nothing about who searched."""

import datetime
import re
import unicodedata

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import SearchQueryLog

MAX_LOGGED_LENGTH = 100
# An e-mail address or six digits or more (a phone number, a booking reference) may identify someone: not logged.
_PERSONAL = re.compile(r"@|(\d[\s()+./-]*){6,}")


def logged_term(term: str) -> str:
    """The term as staff see it: NFKC, lower case, single spaces; "" when it must not be kept."""
    term = " ".join(unicodedata.normalize("NFKC", term).casefold().split())[:MAX_LOGGED_LENGTH]
    return "" if _PERSONAL.search(term) else term


def record_search(term: str, language: str, result_count: int, day: datetime.date | None = None) -> bool:
    """Count one search; returns False when the term was not logged."""
    term = logged_term(term)
    if not term:
        return False
    day = day or timezone.localdate()
    zero = int(result_count == 0)
    changes = {
        "searches": F("searches") + 1,
        "zero_result_searches": F("zero_result_searches") + zero,
        "last_result_count": result_count,
    }
    rows = SearchQueryLog.objects.filter(day=day, language=language, term=term)
    if rows.update(**changes):
        return True
    try:
        with transaction.atomic():
            SearchQueryLog.objects.create(
                day=day,
                language=language,
                term=term,
                searches=1,
                zero_result_searches=zero,
                last_result_count=result_count,
            )
    except IntegrityError:  # another process logged the same term first
        rows.update(**changes)
    return True
