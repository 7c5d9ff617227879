"""What the server adds to an event from the request: country, device, browser, channel and goal.

Everything is derived at intake and the inputs (IP address, user agent, full referrer) are then dropped.
Parsing is cached because the same few hundred user agents make up nearly all traffic.
"""

from __future__ import annotations

import functools
import time
from enum import IntEnum
from urllib.parse import parse_qsl, urlsplit

import crawleruseragents
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from ua_parser import parse as parse_user_agent


class Device(IntEnum):
    UNKNOWN = 0
    DESKTOP = 1
    MOBILE = 2
    TABLET = 3


class Channel(IntEnum):
    DIRECT = 0
    SEARCH = 1
    SOCIAL = 2
    REFERRAL = 3
    EMAIL = 4
    PAID = 5
    AI_ASSISTANT = 6
    INTERNAL = 7


# Host suffixes; a referrer matches when its host is one of these or ends with "." + one of these.
SEARCH_ENGINES = (
    "google.com", "google.co.jp", "google.com.tw", "google.com.hk", "google.co.kr", "google.co.th",
    "google.com.sg", "google.co.uk", "google.de", "google.fr", "google.com.au", "google.ca",
    "bing.com", "yahoo.co.jp", "search.yahoo.com", "yahoo.com", "duckduckgo.com", "baidu.com",
    "naver.com", "daum.net", "yandex.ru", "yandex.com", "ecosia.org", "sogou.com", "so.com", "seznam.cz",
    "startpage.com", "brave.com", "qwant.com",
)  # fmt: skip
SOCIAL = (
    "facebook.com", "fb.com", "instagram.com", "t.co", "twitter.com", "x.com", "threads.net", "line.me",
    "youtube.com", "youtu.be", "tiktok.com", "weibo.com", "weibo.cn", "xiaohongshu.com", "pinterest.com",
    "reddit.com", "dcard.tw", "ptt.cc", "kakao.com", "band.us", "pantip.com", "linkedin.com", "lnkd.in",
    "bilibili.com", "douyin.com", "zhihu.com", "tumblr.com", "mastodon.social", "bsky.app",
)  # fmt: skip
AI_ASSISTANTS = (
    "chatgpt.com", "chat.openai.com", "perplexity.ai", "gemini.google.com", "copilot.microsoft.com",
    "claude.ai", "chat.deepseek.com", "you.com", "poe.com", "meta.ai", "grok.com", "kimi.moonshot.cn",
)  # fmt: skip
EMAIL_HOSTS = ("mail.google.com", "outlook.live.com", "mail.yahoo.co.jp", "mail.yahoo.com", "mail.naver.com")
PAID_MEDIUMS = {"cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-social", "paid_social", "display", "cpm"}
EMAIL_MEDIUMS = {"email", "e-mail", "newsletter", "mail"}
SOCIAL_MEDIUMS = {"social", "social-media", "social_media", "sns"}


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _matches(host: str, suffixes: tuple[str, ...]) -> bool:
    return any(host == s or host.endswith("." + s) for s in suffixes)


def utm_tags(url: str) -> dict[str, str]:
    """utm_source, utm_medium and utm_campaign of a page URL, lower-cased and cut to 100 characters."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return {}
    tags = {}
    for key, value in parse_qsl(query):
        if key in ("utm_source", "utm_medium", "utm_campaign") and value.strip():
            tags[key] = value.strip().lower()[:100]
    return tags


def channel_for(referrer_host: str, utm: dict[str, str], own_host: str) -> Channel:
    """The channel a marketer would name, UTM tags first, then the referring site."""
    medium = utm.get("utm_medium", "")
    source = utm.get("utm_source", "")
    if medium in PAID_MEDIUMS:
        return Channel.PAID
    if medium in EMAIL_MEDIUMS or source in EMAIL_MEDIUMS:
        return Channel.EMAIL
    if medium in SOCIAL_MEDIUMS:
        return Channel.SOCIAL
    if source and _matches(source, AI_ASSISTANTS) or source in {"chatgpt", "perplexity", "gemini", "copilot"}:
        return Channel.AI_ASSISTANT
    if not referrer_host:
        return Channel.REFERRAL if source else Channel.DIRECT
    if referrer_host == own_host:
        return Channel.INTERNAL
    if _matches(referrer_host, AI_ASSISTANTS):
        return Channel.AI_ASSISTANT
    if _matches(referrer_host, EMAIL_HOSTS):
        return Channel.EMAIL
    if _matches(referrer_host, SEARCH_ENGINES) or referrer_host.split(".")[0] in {"google", "bing", "yahoo"}:
        return Channel.SEARCH
    if _matches(referrer_host, SOCIAL):
        return Channel.SOCIAL
    return Channel.REFERRAL


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """The maintained crawler-user-agents list; an empty user agent is a bot too."""
    return not user_agent.strip() or crawleruseragents.is_crawler(user_agent)


@functools.lru_cache(maxsize=4096)
def device_browser_os(user_agent: str) -> tuple[Device, str, str]:
    parsed = parse_user_agent(user_agent)
    browser = parsed.user_agent.family if parsed.user_agent else ""
    os_family = parsed.os.family if parsed.os else ""
    device_family = (parsed.device.family if parsed.device else "") or ""
    lowered = user_agent.lower()
    if "ipad" in lowered or "tablet" in lowered or ("android" in lowered and "mobile" not in lowered):
        device = Device.TABLET
    elif "mobi" in lowered or device_family in {"iPhone", "iPod"}:
        device = Device.MOBILE
    elif browser or os_family:
        device = Device.DESKTOP
    else:
        device = Device.UNKNOWN
    return device, browser[:32], os_family[:32]


def browser_language(accept_language: str) -> str:
    """The first language the browser asks for, lower-cased (e.g. "zh-tw")."""
    first = accept_language.split(",")[0].split(";")[0].strip().lower()
    return first[:16] if first and first != "*" else ""


def country_of(request_meta: dict, browser_lang: str) -> str:
    """CDN header, else the MaxMind database if configured, else the region of the browser language."""
    header = settings.ANALYTICS_COUNTRY_HEADER
    if header:
        value = request_meta.get("HTTP_" + header.upper().replace("-", "_"), "").strip().upper()
        if len(value) == 2 and value.isalpha() and value not in {"XX", "T1"}:
            return value
    if settings.ANALYTICS_GEOIP_DATABASE:
        country = _geoip_country(request_meta.get("_ip", ""))
        if country:
            return country
    if "-" in browser_lang:
        region = browser_lang.rsplit("-", 1)[1].upper()
        if len(region) == 2 and region.isalpha():
            return region
    return ""


@functools.lru_cache(maxsize=1)
def _geoip_reader():
    import maxminddb  # optional: only needed when a database file is configured

    return maxminddb.open_database(settings.ANALYTICS_GEOIP_DATABASE)


def _geoip_country(ip: str) -> str:
    try:
        record = _geoip_reader().get(ip) or {}
    except ValueError:
        return ""
    return ((record.get("country") or {}).get("iso_code") or "").upper()


_GOALS_KEY = "analytics:goal-domains"


# Per-process copy for a few seconds: without it every outbound click costs a second Redis round trip.
_GOALS_MEMO_SECONDS = 10
_goals_memo: tuple[float, dict[str, str]] | None = None


def goal_domains() -> dict[str, str]:
    """{domain: kind}, from the shared cache; cleared whenever staff edit the list (other processes follow
    within _GOALS_MEMO_SECONDS)."""
    global _goals_memo
    now = time.monotonic()
    if _goals_memo is not None and now - _goals_memo[0] < _GOALS_MEMO_SECONDS:
        return _goals_memo[1]
    domains = _shared_goal_domains()
    _goals_memo = (now, domains)
    return domains


def _shared_goal_domains() -> dict[str, str]:
    from .models import GoalDomain

    domains = cache.get(_GOALS_KEY)
    if domains is None:
        try:
            domains = dict(GoalDomain.objects.values_list("domain", "kind"))
        except DatabaseError:
            # Database down: intake must still keep the click, so use the list last read (asking again in 30 s).
            domains = cache.get(_GOALS_KEY + ":last-known") or {}
            cache.set(_GOALS_KEY, domains, 30)
            return domains
        cache.set(_GOALS_KEY, domains, 300)
        cache.set(_GOALS_KEY + ":last-known", domains, None)
    return domains


def goal_for(href: str) -> str:
    """The goal kind of an outbound link, or "outbound" for any other site.

    Entries match a host and its subdomains, optionally narrowed to a first path segment ("google.com/maps").
    """
    domains = goal_domains()
    parts = urlsplit(href)
    labels = (parts.hostname or "").lower().split(".")
    segment = parts.path.strip("/").split("/")[0].lower()
    for start in range(len(labels) - 1):
        host = ".".join(labels[start:])
        kind = (segment and domains.get(f"{host}/{segment}")) or domains.get(host)
        if kind:
            return kind
    return "outbound"


@receiver(post_save, sender="analytics.GoalDomain")
@receiver(post_delete, sender="analytics.GoalDomain")
def _goal_domains_changed(**kwargs) -> None:
    global _goals_memo
    _goals_memo = None
    cache.delete(_GOALS_KEY)


@receiver(setting_changed)
def _settings_changed(setting: str, **kwargs) -> None:
    if setting == "ANALYTICS_GEOIP_DATABASE":
        _geoip_reader.cache_clear()
