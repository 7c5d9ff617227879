"""Where intake puts accepted records: straight into the database, or into Redis for the drain task.

Why Redis first: a 2xx must mean "kept", also while PostgreSQL is slow or down. Redis (with appendonly on)
holds records until the drain task has copied them, exactly once:

1. A Lua script moves up to BATCH records from the list into a new batch key and notes the key in a set,
   atomically, so a record is always in exactly one place.
2. The batch is written to the database in one transaction together with a `DrainedBatch` row.
3. Only then is the batch key deleted. A drain that dies between 2 and 3 finds the `DrainedBatch` row next
   time and just deletes the key; one that dies before 2 writes the batch again from scratch.

What a Redis crash can lose: with `appendfsync everysec` (Redis' default), up to one second of accepted
events if the machine itself fails; a crash of the Redis process alone loses nothing already acknowledged.
`appendfsync always` closes that second at some cost in throughput.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import DrainedBatch
from .storage import EVENT_COLUMNS, ensure_partitions, write_batch

QUEUE = "visitaizu:analytics:queue"
PENDING = "visitaizu:analytics:pending"
LOCK = "visitaizu:analytics:drain-lock"
BATCH = 5000

# Count the visitor's events this minute; refuse over the limit; else append the record. One round trip.
_ACCEPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], 61) end
if n > tonumber(ARGV[1]) then
  if n == tonumber(ARGV[1]) + 1 and ARGV[3] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[3]) end
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[2])
if ARGV[4] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[4]) end
return 1
"""
_CLAIM = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return 0 end
for i = 1, #items, 500 do
  redis.call('RPUSH', KEYS[2], unpack(items, i, math.min(i + 499, #items)))
end
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('SADD', KEYS[3], KEYS[2])
return #items
"""
_scripts: dict = {}


def uses_redis() -> bool:
    return settings.ANALYTICS_BUFFER == "redis"


def redis_client():
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _script(name: str, source: str):
    if name not in _scripts:
        _scripts[name] = redis_client().register_script(source)
    return _scripts[name]


def encode(record: list) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def accept(rate_key: str, record: list, over_limit: list | None, extra: list | None) -> bool:
    """Keep `record` (and `extra`, a profile-history record) unless the visitor is over the rate limit.

    `over_limit` is the counter record written once, when a visitor first goes over the limit in a minute.
    Returns False when rate-limited.
    """
    collector = _collector.get()
    if collector is not None:
        return collector.accept(rate_key, record, over_limit, extra)
    if uses_redis():
        return bool(
            _script("accept", _ACCEPT)(
                keys=[f"visitaizu:analytics:rate:{rate_key}", QUEUE],
                args=[
                    settings.ANALYTICS_RATE_LIMIT,
                    encode(record),
                    encode(over_limit) if over_limit else "",
                    encode(extra) if extra else "",
                ],
            )
        )
    key = f"analytics:rate:{rate_key}"
    cache.add(key, 0, 61)
    try:
        n = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 61)
        n = 1
    if n > settings.ANALYTICS_RATE_LIMIT:
        if n == settings.ANALYTICS_RATE_LIMIT + 1 and over_limit:
            write_batch([over_limit])
        return False
    write_batch([record, extra] if extra else [record])
    return True


class Collector:
    """Records accepted inside `collected()`: kept in memory and handed to `keep` in chunks."""

    _AT = EVENT_COLUMNS.index("at")

    def __init__(self, size: int):
        self.size = size
        self.records: list[list] = []
        self.per_minute: Counter = Counter()

    def accept(self, rate_key: str, record: list, over_limit: list | None, extra: list | None) -> bool:
        # The same limit, counted per visitor and minute of the events' own time: bulk loads are back-dated and
        # arrive far faster than real visitors, so the shared per-minute counter would measure the loader.
        key = (rate_key, record[1][self._AT] // 60_000)
        self.per_minute[key] += 1
        n = self.per_minute[key]
        if n > settings.ANALYTICS_RATE_LIMIT:
            if n == settings.ANALYTICS_RATE_LIMIT + 1 and over_limit:
                self.records.append(over_limit)
            return False
        self.records.append(record)
        if extra:
            self.records.append(extra)
        if len(self.records) >= self.size:
            self.flush()
        return True

    def flush(self) -> None:
        records, self.records = self.records, []
        keep(records)


_collector: ContextVar[Collector | None] = ContextVar("analytics_collector", default=None)


@contextmanager
def collected(size: int = 5000) -> Iterator[Collector]:
    """Bulk loads (synthetic traffic): `accept` inside this block keeps records in memory and writes them with
    `keep` every `size` records and at the end, instead of one transaction (or Redis call) per event.

    Not for web requests. Records still in memory when the block raises are dropped.
    """
    collector = Collector(size)
    token = _collector.set(collector)
    try:
        yield collector
        collector.flush()
    finally:
        _collector.reset(token)


def keep(records: list[list]) -> None:
    """Keep records that are not rate-limited (bot counts, synthetic traffic)."""
    if not records:
        return
    if uses_redis():
        redis_client().rpush(QUEUE, *(encode(r) for r in records))
    else:
        write_batch(records)


def pending_count() -> int:
    """Records waiting in Redis (queued plus claimed but not yet written)."""
    if not uses_redis():
        return 0
    client = redis_client()
    return client.llen(QUEUE) + sum(client.llen(key) for key in client.smembers(PENDING))


def _write_claimed(client, key: str) -> int:
    batch_id = key.decode() if isinstance(key, bytes) else key
    with transaction.atomic():
        if DrainedBatch.objects.filter(batch=batch_id).exists():
            written = 0
        else:
            records = [json.loads(raw) for raw in client.lrange(batch_id, 0, -1)]
            write_batch(records)
            DrainedBatch.objects.create(batch=batch_id)
            written = len(records)
    client.delete(batch_id)
    client.srem(PENDING, batch_id)
    return written


def drain(max_seconds: float = 50.0) -> int:
    """Copy everything waiting in Redis into the database; returns the number of records written.

    Only one drain runs at a time across all machines (a Redis lock that expires if its holder dies).
    Raises if the database is unreachable; the records stay in Redis for the next run.
    """
    if not uses_redis():
        return 0
    client = redis_client()
    token = uuid.uuid4().hex
    if not client.set(LOCK, token, nx=True, ex=max(int(max_seconds) + 30, 60)):
        return 0
    written = 0
    try:
        ensure_partitions()
        for key in client.smembers(PENDING):  # batches a dead drain left behind
            written += _write_claimed(client, key)
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline:
            key = f"visitaizu:analytics:batch:{uuid.uuid4().hex}"
            claimed = _script("claim", _CLAIM)(keys=[QUEUE, key, PENDING], args=[BATCH])
            if not claimed:
                break
            written += _write_claimed(client, key)
            if claimed < BATCH:
                # The queue was emptied. Events keep arriving, so looping on would write a transaction for every
                # few events; they wait for the next run instead, and go in one batch.
                break
    finally:
        if client.get(LOCK) == token.encode():
            client.delete(LOCK)
    DrainedBatch.objects.filter(drained_at__lt=timezone.now() - dt.timedelta(days=2)).delete()
    return written
