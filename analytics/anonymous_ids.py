"""Daily anonymous visitor ids: a keyed hash of site, IP address and user agent.

The key is a random salt made for each day in Asia/Tokyo and kept in the shared cache (Redis in production),
so every web process on every machine hashes alike. A salt is deleted 48 hours after its day begins; from then
on nobody, us included, can link that day's ids to an address or to another day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone

TOKYO = ZoneInfo("Asia/Tokyo")
SALT_LIFETIME = dt.timedelta(hours=48)
_KEY = "analytics:salt:{day}"
# Per-process memo of (day, salt): one cache read per process per day, not per event.
_memo: tuple[dt.date, bytes] | None = None


def tokyo_day(at: dt.datetime | None = None) -> dt.date:
    return (at or timezone.now()).astimezone(TOKYO).date()


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TOKYO)


def salt_for(day: dt.date) -> bytes:
    """The salt of `day`, made on first use; the first process to add it wins and all others read it."""
    key = _KEY.format(day=day.isoformat())
    remaining = (_day_start(day) + SALT_LIFETIME - timezone.now()).total_seconds()
    if remaining <= 0:
        raise LookupError(f"the salt of {day} has been deleted")
    cache.add(key, secrets.token_bytes(16), timeout=int(remaining) + 1)
    salt = cache.get(key)
    if salt is None:  # evicted between add and get: make it again rather than fail the event
        salt = secrets.token_bytes(16)
        cache.set(key, salt, timeout=int(remaining) + 1)
    return salt


def todays_salt() -> bytes:
    global _memo
    day = tokyo_day()
    if _memo is None or _memo[0] != day:
        _memo = (day, salt_for(day))
    return _memo[1]


def forget_memo() -> None:
    """Tests change the clock or clear the cache; the next event then reads the shared salt again."""
    global _memo
    _memo = None


def visitor_hash(site_id: int, ip: str, user_agent: str, salt: bytes | None = None) -> int:
    """A signed 64-bit id, stable for one visitor for one Tokyo day."""
    digest = hashlib.blake2b(
        f"{site_id}\x00{ip}\x00{user_agent}".encode("utf-8", "replace"),
        key=salt if salt is not None else todays_salt(),
        digest_size=8,
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


def delete_old_salts(days_back: int = 7) -> int:
    """Delete salts whose 48 hours are over (the cache expires them too; this also clears database caches)."""
    today = tokyo_day()
    keys = []
    for offset in range(2, 2 + days_back):
        day = today - dt.timedelta(days=offset)
        if _day_start(day) + SALT_LIFETIME <= timezone.now():
            keys.append(_KEY.format(day=day.isoformat()))
    cache.delete_many(keys)
    return len(keys)
