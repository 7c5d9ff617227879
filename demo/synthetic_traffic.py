"""Synthetic visitors for the demo: people from each market browse the site, and every event they cause goes
through the real analytics intake (`analytics.intake.accept_event`), marked synthetic.

The rules are written down for humans in demo/SYNTHETIC_TRAFFIC.md; the figures are in `MARKETS` and the
tables next to it. They are illustrative and synthetic: not survey results. In short:

- each market has a theme preference profile, a travel-month profile, a party mix, devices and channels;
- each person deviates from their market's profile (their own interests), plans a trip for one month and
  travels in one kind of party;
- what a person opens, how long they stay, how far they scroll, whether they save a route or click out to a
  booking site all follow from an affinity = market theme weights + personal deviations + season fit for the
  travel month + party fit, plus Gumbel noise on every choice and a share of plain random clicks, so that no
  single signal predicts everything.

The generator's hidden truth (market, interests, travel month, party of each person) is returned in memory by
`simulate` for tests and evaluations and is never stored. What is stored is what the site would store for real
visitors: anonymous raw events with daily ids, consent answers, and the profiles of those who agreed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from wagtail.models import Page, Site

from analytics import buffer
from analytics.anonymous_ids import TOKYO, tokyo_day, visitor_hash
from analytics.intake import Visitor, accept_event
from analytics.models import RawEvent, TouchedDay
from analytics.schema import parse_event
from consent.models import ConsentAnswer, ConsentNotice, SavedRoute, VisitorProfile, hash_token
from content.models import Theme
from events.models import EventIndexPage, EventPage
from routes.models import RouteIndexPage, RoutePage, SpotIndexPage, SpotPage
from routes.templatetags.route_tags import directions_url
from search.query import matching_documents
from search.text import query_terms
from translations.state import records_by_page, translation_statuses

# ---------------------------------------------------------------------------------------------------------------
# The rules as data. ILLUSTRATIVE, SYNTHETIC: NOT SURVEY RESULTS. Change them here and in SYNTHETIC_TRAFFIC.md.
# ---------------------------------------------------------------------------------------------------------------

PARTIES = ("solo", "couple", "family", "group")  # the route vocabulary (RoutePage.PARTY_CHOICES)
LANGUAGES = ("ja", "en", "zh-hant", "zh-hans", "ko", "th")


@dataclass(frozen=True)
class Country:
    code: str
    weight: float  # share of the market's visitors
    time_zones: tuple[tuple[str, float], ...]
    # (first Accept-Language tag, site language the person reads, weight)
    languages: tuple[tuple[str, str, float], ...]


@dataclass(frozen=True)
class Campaign:
    """An email or paid campaign: extra visits from its market while it runs, landing on its themes' routes."""

    key: str  # utm_campaign
    channel: str  # "email" or "paid"
    source: str  # utm_source
    medium: str  # utm_medium
    start: float  # where it starts, as a fraction of the simulated window
    days: int  # paid: days it runs; email: one send, visits fading over these days
    weight: float  # extra visits on its days, relative to the market's usual daily visits
    themes: tuple[str, ...]


@dataclass(frozen=True)
class MarketProfile:
    key: str  # same keys as the Market rows of analytics migration 0002 (this module does not read them)
    name: str
    share: float  # of all synthetic people
    countries: tuple[Country, ...]
    themes: dict[str, float]  # theme key → preference weight; 0 = indifferent, 1 = strong liking
    travel_months: tuple[float, ...]  # Jan..Dec: when people of this market like to travel
    parties: dict[str, float]
    devices: dict[str, float]  # mobile / tablet / desktop
    iphone: float  # share of iOS among phones and tablets
    consent: float  # share of people who agree to a profile
    decline: float  # share of the others who click "no thanks" (the rest ignore the dialog)
    channels: dict[str, float]  # direct / search / social / ai / referral / email / paid (outside campaigns)
    search: tuple[tuple[str, float], ...]  # referring search engine hosts
    social: tuple[tuple[str, float], ...]
    ai: tuple[tuple[str, float], ...]
    referral: tuple[tuple[str, float], ...]
    booking: tuple[tuple[str, float], ...]  # booking sites this market clicks through to
    campaigns: tuple[Campaign, ...] = ()


# fmt: off
MARKETS: tuple[MarketProfile, ...] = (
    MarketProfile(
        key="taiwan", name="Taiwan", share=0.21,
        countries=(
            Country("TW", 1.0, (("Asia/Taipei", 1),),
                               (("zh-tw", "zh-hant", 0.9), ("zh-tw", "en", 0.06), ("ja", "ja", 0.04))),
        ),
        themes={"snow": 1.2, "onsen": 1.0, "autumn-leaves": 0.9, "railway": 0.8, "cherry-blossoms": 0.8,
                "photography": 0.6, "food": 0.6, "nature": 0.3, "history": 0.0, "samurai": -0.2, "sake": 0.1,
                "crafts": 0.0, "family": 0.2, "festivals": 0.3, "pilgrimage": -0.3},
        travel_months=(1.6, 1.6, 0.9, 1.2, 0.7, 0.4, 0.6, 0.6, 0.5, 1.2, 1.5, 1.4),
        parties={"solo": 0.15, "couple": 0.35, "family": 0.3, "group": 0.2},
        devices={"mobile": 0.72, "tablet": 0.05, "desktop": 0.23},
        iphone=0.55, consent=0.35, decline=0.45,
        channels={"direct": 0.16, "search": 0.4, "social": 0.28, "ai": 0.04, "referral": 0.08, "email": 0.01,
                  "paid": 0.01},
        search=(("www.google.com.tw", 0.7), ("www.google.com", 0.15), ("tw.search.yahoo.com", 0.1),
                ("www.bing.com", 0.05)),
        social=(("m.facebook.com", 0.3), ("l.instagram.com", 0.2), ("line.me", 0.15), ("www.dcard.tw", 0.12),
                ("www.ptt.cc", 0.08), ("www.youtube.com", 0.1), ("www.threads.net", 0.05)),
        ai=(("chatgpt.com", 0.7), ("gemini.google.com", 0.2), ("www.perplexity.ai", 0.1)),
        referral=(("www.japan.travel", 0.4), ("www.tohokukanko.jp", 0.35), ("www.kkday.com", 0.25)),
        booking=(("https://www.kkday.com/zh-tw/country/japan", 0.3),
                 ("https://www.agoda.com/zh-tw/city/aizuwakamatsu-jp.html", 0.3),
                 ("https://www.booking.com/city/jp/aizuwakamatsu.zh-tw.html", 0.2),
                 ("https://www.klook.com/zh-TW/city/", 0.2)),
        campaigns=(Campaign("tw-winter-aizu", "email", "newsletter", "email", 0.3, 3, 0.9, ("snow", "onsen")),),
    ),
    MarketProfile(
        key="hong-kong", name="Hong Kong", share=0.07,
        countries=(
            Country("HK", 0.95, (("Asia/Hong_Kong", 1),),
                                (("zh-hk", "zh-hant", 0.78), ("en-hk", "en", 0.2), ("zh-tw", "zh-hant", 0.02))),
            Country("MO", 0.05, (("Asia/Macau", 1),), (("zh-mo", "zh-hant", 0.9), ("en", "en", 0.1))),
        ),
        themes={"food": 1.1, "onsen": 0.9, "snow": 0.8, "photography": 0.7, "autumn-leaves": 0.6, "sake": 0.4,
                "cherry-blossoms": 0.5, "crafts": 0.2, "nature": 0.3, "history": 0.1, "samurai": 0.0, "railway": 0.3,
                "family": 0.2, "festivals": 0.2, "pilgrimage": -0.3},
        travel_months=(1.3, 1.1, 0.9, 1.3, 0.6, 0.5, 1.0, 0.9, 0.6, 1.1, 1.3, 1.6),
        parties={"solo": 0.15, "couple": 0.4, "family": 0.3, "group": 0.15},
        devices={"mobile": 0.68, "tablet": 0.06, "desktop": 0.26},
        iphone=0.62, consent=0.3, decline=0.5,
        channels={"direct": 0.18, "search": 0.42, "social": 0.26, "ai": 0.05, "referral": 0.07, "email": 0.01,
                  "paid": 0.01},
        search=(("www.google.com.hk", 0.8), ("www.google.com", 0.12), ("www.bing.com", 0.08)),
        social=(("m.facebook.com", 0.35), ("l.instagram.com", 0.35), ("www.youtube.com", 0.15),
                ("www.threads.net", 0.15)),
        ai=(("chatgpt.com", 0.6), ("gemini.google.com", 0.25), ("www.perplexity.ai", 0.15)),
        referral=(("www.japan.travel", 0.5), ("www.klook.com", 0.5)),
        booking=(("https://www.klook.com/zh-HK/city/", 0.35),
                 ("https://www.trip.com/hotels/list?city=aizuwakamatsu", 0.25),
                 ("https://www.agoda.com/zh-hk/city/aizuwakamatsu-jp.html", 0.2),
                 ("https://www.booking.com/city/jp/aizuwakamatsu.zh-tw.html", 0.2)),
        campaigns=(Campaign("hk-autumn-food", "email", "newsletter", "email", 0.65, 3, 1.0,
                            ("food", "autumn-leaves")),),
    ),
    MarketProfile(
        key="mainland-china", name="Mainland China", share=0.08,
        countries=(
            Country("CN", 1.0, (("Asia/Shanghai", 1),), (("zh-cn", "zh-hans", 0.95), ("en-us", "en", 0.05))),
        ),
        themes={"snow": 0.9, "cherry-blossoms": 0.8, "onsen": 0.7, "food": 0.6, "photography": 0.6, "history": 0.4,
                "autumn-leaves": 0.5, "crafts": 0.3, "samurai": 0.1, "sake": 0.2, "nature": 0.3, "railway": 0.2,
                "family": 0.3, "festivals": 0.2, "pilgrimage": 0.0},
        travel_months=(1.4, 1.5, 0.8, 1.3, 1.0, 0.5, 0.9, 0.9, 0.6, 1.5, 0.9, 0.9),
        parties={"solo": 0.12, "couple": 0.33, "family": 0.35, "group": 0.2},
        devices={"mobile": 0.78, "tablet": 0.04, "desktop": 0.18},
        iphone=0.3, consent=0.25, decline=0.5,
        channels={"direct": 0.2, "search": 0.34, "social": 0.34, "ai": 0.05, "referral": 0.05, "email": 0.01,
                  "paid": 0.01},
        search=(("www.baidu.com", 0.6), ("cn.bing.com", 0.3), ("www.sogou.com", 0.1)),
        social=(("www.xiaohongshu.com", 0.45), ("weibo.com", 0.2), ("www.bilibili.com", 0.15), ("www.zhihu.com", 0.1),
                ("www.douyin.com", 0.1)),
        ai=(("chat.deepseek.com", 0.6), ("kimi.moonshot.cn", 0.4)),
        referral=(("www.mafengwo.cn", 0.6), ("www.japan.travel", 0.4)),
        booking=(("https://www.trip.com/hotels/list?city=aizuwakamatsu", 0.6),
                 ("https://www.agoda.com/zh-cn/city/aizuwakamatsu-jp.html", 0.25),
                 ("https://www.booking.com/city/jp/aizuwakamatsu.zh-cn.html", 0.15)),
    ),
    MarketProfile(
        key="korea", name="South Korea", share=0.09,
        countries=(
            Country("KR", 1.0, (("Asia/Seoul", 1),), (("ko-kr", "ko", 0.93), ("en-us", "en", 0.07))),
        ),
        themes={"onsen": 1.0, "food": 0.9, "sake": 0.7, "autumn-leaves": 0.6, "nature": 0.5, "history": 0.3,
                "photography": 0.4, "snow": 0.4, "samurai": 0.0, "crafts": 0.1, "railway": 0.2, "cherry-blossoms": 0.4,
                "family": 0.2, "festivals": 0.1, "pilgrimage": -0.2},
        travel_months=(1.4, 1.0, 0.7, 0.9, 1.0, 0.6, 0.9, 1.0, 0.8, 1.3, 1.2, 1.4),
        parties={"solo": 0.2, "couple": 0.35, "family": 0.25, "group": 0.2},
        devices={"mobile": 0.7, "tablet": 0.05, "desktop": 0.25},
        iphone=0.35, consent=0.3, decline=0.5,
        channels={"direct": 0.15, "search": 0.45, "social": 0.22, "ai": 0.05, "referral": 0.09, "email": 0.01,
                  "paid": 0.03},
        search=(("search.naver.com", 0.55), ("www.google.co.kr", 0.35), ("search.daum.net", 0.1)),
        social=(("l.instagram.com", 0.35), ("www.youtube.com", 0.25), ("story.kakao.com", 0.2), ("band.us", 0.1),
                ("m.facebook.com", 0.1)),
        ai=(("chatgpt.com", 0.7), ("gemini.google.com", 0.15), ("www.perplexity.ai", 0.15)),
        referral=(("www.japan.travel", 0.5), ("www.myrealtrip.com", 0.5)),
        booking=(("https://www.agoda.com/ko-kr/city/aizuwakamatsu-jp.html", 0.45),
                 ("https://www.booking.com/city/jp/aizuwakamatsu.ko.html", 0.25),
                 ("https://www.trip.com/hotels/list?city=aizuwakamatsu", 0.15),
                 ("https://www.klook.com/ko/city/", 0.15)),
        campaigns=(Campaign("kr-onsen-autumn", "paid", "naver", "cpc", 0.5, 10, 0.35, ("onsen", "food")),),
    ),
    MarketProfile(
        key="thailand", name="Thailand", share=0.1,
        countries=(
            Country("TH", 1.0, (("Asia/Bangkok", 1),),
                               (("th-th", "th", 0.72), ("th", "th", 0.13), ("en-us", "en", 0.15))),
        ),
        themes={"snow": 1.4, "cherry-blossoms": 1.0, "autumn-leaves": 1.0, "photography": 0.9, "food": 0.5,
                "onsen": 0.4, "nature": 0.5, "family": 0.4, "railway": 0.3, "history": 0.0, "samurai": 0.1,
                "festivals": 0.3, "sake": -0.2, "crafts": 0.0, "pilgrimage": 0.2},
        travel_months=(1.3, 1.1, 0.7, 1.6, 0.8, 0.3, 0.4, 0.4, 0.4, 1.3, 1.3, 1.6),
        parties={"solo": 0.1, "couple": 0.3, "family": 0.35, "group": 0.25},
        devices={"mobile": 0.8, "tablet": 0.05, "desktop": 0.15},
        iphone=0.4, consent=0.45, decline=0.35,
        channels={"direct": 0.13, "search": 0.35, "social": 0.38, "ai": 0.04, "referral": 0.06, "email": 0.01,
                  "paid": 0.03},
        search=(("www.google.co.th", 0.85), ("www.google.com", 0.1), ("www.bing.com", 0.05)),
        social=(("m.facebook.com", 0.4), ("pantip.com", 0.2), ("line.me", 0.15), ("www.tiktok.com", 0.15),
                ("www.youtube.com", 0.1)),
        ai=(("chatgpt.com", 0.75), ("gemini.google.com", 0.25)),
        referral=(("www.japan.travel", 0.5), ("www.tohokukanko.jp", 0.5)),
        booking=(("https://www.agoda.com/th-th/city/aizuwakamatsu-jp.html", 0.55),
                 ("https://www.booking.com/city/jp/aizuwakamatsu.th.html", 0.2),
                 ("https://www.klook.com/th/city/", 0.15),
                 ("https://www.trip.com/hotels/list?city=aizuwakamatsu", 0.1)),
        campaigns=(Campaign("th-snow-sakura", "paid", "facebook", "paid_social", 0.15, 14, 0.45,
                            ("snow", "cherry-blossoms")),),
    ),
    MarketProfile(
        key="southeast-asia", name="Southeast Asia", share=0.11,
        countries=(
            Country("SG", 0.3, (("Asia/Singapore", 1),),
                               (("en-sg", "en", 0.7), ("en-us", "en", 0.1), ("zh-sg", "zh-hans", 0.2))),
            Country("MY", 0.25, (("Asia/Kuala_Lumpur", 1),),
                                (("en-my", "en", 0.65), ("ms-my", "en", 0.15), ("zh-my", "zh-hans", 0.2))),
            Country("ID", 0.2, (("Asia/Jakarta", 1),), (("id-id", "en", 0.7), ("en-us", "en", 0.3))),
            Country("VN", 0.1, (("Asia/Ho_Chi_Minh", 1),), (("vi-vn", "en", 0.75), ("en-us", "en", 0.25))),
            Country("PH", 0.15, (("Asia/Manila", 1),), (("en-ph", "en", 0.85), ("en-us", "en", 0.15))),
        ),
        themes={"snow": 1.1, "food": 0.8, "cherry-blossoms": 0.7, "autumn-leaves": 0.7, "nature": 0.5, "family": 0.5,
                "photography": 0.6, "onsen": 0.3, "history": 0.2, "samurai": 0.2, "railway": 0.2, "sake": -0.3,
                "crafts": 0.0, "festivals": 0.2, "pilgrimage": -0.2},
        travel_months=(1.0, 0.9, 1.0, 1.2, 0.8, 1.2, 0.6, 0.5, 0.4, 0.9, 1.2, 1.8),
        parties={"solo": 0.12, "couple": 0.3, "family": 0.4, "group": 0.18},
        devices={"mobile": 0.72, "tablet": 0.06, "desktop": 0.22},
        iphone=0.4, consent=0.38, decline=0.4,
        channels={"direct": 0.15, "search": 0.42, "social": 0.28, "ai": 0.06, "referral": 0.07, "email": 0.01,
                  "paid": 0.01},
        search=(("www.google.com", 0.5), ("www.google.com.sg", 0.3), ("www.bing.com", 0.2)),
        social=(("m.facebook.com", 0.35), ("l.instagram.com", 0.25), ("www.tiktok.com", 0.2), ("www.youtube.com", 0.2)),
        ai=(("chatgpt.com", 0.7), ("gemini.google.com", 0.2), ("www.perplexity.ai", 0.1)),
        referral=(("www.japan.travel", 0.4), ("www.japan-guide.com", 0.3), ("www.klook.com", 0.3)),
        booking=(("https://www.agoda.com/city/aizuwakamatsu-jp.html", 0.45),
                 ("https://www.booking.com/city/jp/aizuwakamatsu.html", 0.25), ("https://www.klook.com/city/", 0.15),
                 ("https://www.trip.com/hotels/list?city=aizuwakamatsu", 0.15)),
    ),
    MarketProfile(
        key="north-america", name="North America", share=0.1,
        countries=(
            Country("US", 0.82, (("America/New_York", 0.45), ("America/Chicago", 0.2), ("America/Los_Angeles", 0.35)),
                                (("en-us", "en", 0.95), ("es-us", "en", 0.03), ("ja", "ja", 0.02))),
            Country("CA", 0.18, (("America/Toronto", 0.6), ("America/Vancouver", 0.4)),
                                (("en-ca", "en", 0.85), ("fr-ca", "en", 0.15))),
        ),
        themes={"samurai": 1.2, "history": 0.9, "sake": 0.8, "food": 0.6, "nature": 0.6, "crafts": 0.4, "onsen": 0.4,
                "railway": 0.3, "pilgrimage": 0.3, "photography": 0.3, "autumn-leaves": 0.3, "snow": 0.0,
                "cherry-blossoms": 0.3, "family": 0.0, "festivals": 0.2},
        travel_months=(0.5, 0.5, 1.2, 1.6, 1.4, 1.0, 0.8, 0.7, 0.9, 1.5, 1.2, 0.6),
        parties={"solo": 0.28, "couple": 0.42, "family": 0.2, "group": 0.1},
        devices={"mobile": 0.52, "tablet": 0.08, "desktop": 0.4},
        iphone=0.6, consent=0.22, decline=0.55,
        channels={"direct": 0.18, "search": 0.48, "social": 0.14, "ai": 0.1, "referral": 0.08, "email": 0.01,
                  "paid": 0.01},
        search=(("www.google.com", 0.85), ("www.bing.com", 0.1), ("duckduckgo.com", 0.05)),
        social=(("www.reddit.com", 0.35), ("l.instagram.com", 0.2), ("www.youtube.com", 0.25), ("m.facebook.com", 0.1),
                ("www.pinterest.com", 0.1)),
        ai=(("chatgpt.com", 0.6), ("www.perplexity.ai", 0.15), ("gemini.google.com", 0.1), ("claude.ai", 0.1),
            ("copilot.microsoft.com", 0.05)),
        referral=(("www.japan-guide.com", 0.45), ("www.tripadvisor.com", 0.3), ("www.lonelyplanet.com", 0.25)),
        booking=(("https://www.booking.com/city/jp/aizuwakamatsu.html", 0.45),
                 ("https://www.expedia.com/Aizuwakamatsu-Hotels.d6129433.Travel-Guide-Hotels", 0.35),
                 ("https://www.agoda.com/city/aizuwakamatsu-jp.html", 0.2)),
        campaigns=(Campaign("us-samurai-aizu", "paid", "google", "cpc", 0.55, 12, 0.3, ("samurai", "history")),),
    ),
    MarketProfile(
        key="europe", name="Europe", share=0.11,
        countries=(
            Country("GB", 0.25, (("Europe/London", 1),), (("en-gb", "en", 1.0),)),
            Country("FR", 0.2, (("Europe/Paris", 1),), (("fr-fr", "en", 0.9), ("en-gb", "en", 0.1))),
            Country("DE", 0.2, (("Europe/Berlin", 1),), (("de-de", "en", 0.85), ("en-us", "en", 0.15))),
            Country("IT", 0.1, (("Europe/Rome", 1),), (("it-it", "en", 0.9), ("en-us", "en", 0.1))),
            Country("ES", 0.1, (("Europe/Madrid", 1),), (("es-es", "en", 0.9), ("en-us", "en", 0.1))),
            Country("NL", 0.08, (("Europe/Amsterdam", 1),), (("nl-nl", "en", 0.6), ("en-us", "en", 0.4))),
            Country("CH", 0.07, (("Europe/Zurich", 1),), (("de-ch", "en", 0.6), ("fr-ch", "en", 0.4))),
        ),
        themes={"history": 1.0, "samurai": 1.0, "crafts": 0.8, "nature": 0.7, "pilgrimage": 0.6, "sake": 0.5,
                "railway": 0.5, "food": 0.4, "onsen": 0.3, "photography": 0.3, "autumn-leaves": 0.3, "snow": -0.1,
                "cherry-blossoms": 0.3, "family": -0.1, "festivals": 0.3},
        travel_months=(0.4, 0.4, 1.0, 1.6, 1.5, 0.9, 0.9, 1.0, 1.3, 1.5, 1.0, 0.5),
        parties={"solo": 0.3, "couple": 0.45, "family": 0.15, "group": 0.1},
        devices={"mobile": 0.5, "tablet": 0.08, "desktop": 0.42},
        iphone=0.5, consent=0.2, decline=0.6,
        channels={"direct": 0.17, "search": 0.5, "social": 0.12, "ai": 0.09, "referral": 0.1, "email": 0.01,
                  "paid": 0.01},
        search=(("www.google.com", 0.35), ("www.google.co.uk", 0.2), ("www.google.de", 0.15), ("www.google.fr", 0.12),
                ("www.bing.com", 0.08), ("www.ecosia.org", 0.05), ("duckduckgo.com", 0.05)),
        social=(("www.reddit.com", 0.35), ("l.instagram.com", 0.25), ("www.youtube.com", 0.25),
                ("m.facebook.com", 0.15)),
        ai=(("chatgpt.com", 0.6), ("www.perplexity.ai", 0.15), ("gemini.google.com", 0.1), ("claude.ai", 0.1),
            ("copilot.microsoft.com", 0.05)),
        referral=(("www.japan-guide.com", 0.45), ("www.tripadvisor.com", 0.3), ("www.lonelyplanet.com", 0.25)),
        booking=(("https://www.booking.com/city/jp/aizuwakamatsu.html", 0.65),
                 ("https://www.expedia.com/Aizuwakamatsu-Hotels.d6129433.Travel-Guide-Hotels", 0.15),
                 ("https://www.agoda.com/city/aizuwakamatsu-jp.html", 0.2)),
    ),
    MarketProfile(
        key="oceania", name="Oceania", share=0.05,
        countries=(
            Country("AU", 0.82, (("Australia/Sydney", 0.6), ("Australia/Perth", 0.15), ("Australia/Brisbane", 0.25)),
                                (("en-au", "en", 1.0),)),
            Country("NZ", 0.18, (("Pacific/Auckland", 1),), (("en-nz", "en", 1.0),)),
        ),
        themes={"nature": 0.9, "snow": 0.8, "onsen": 0.7, "food": 0.5, "sake": 0.6, "history": 0.4, "samurai": 0.5,
                "railway": 0.2, "photography": 0.3, "autumn-leaves": 0.3, "crafts": 0.2, "cherry-blossoms": 0.3,
                "family": 0.2, "festivals": 0.1, "pilgrimage": 0.0},
        travel_months=(1.6, 1.3, 0.7, 1.1, 0.7, 0.8, 1.2, 0.8, 1.0, 1.0, 0.8, 1.0),
        parties={"solo": 0.22, "couple": 0.4, "family": 0.28, "group": 0.1},
        devices={"mobile": 0.55, "tablet": 0.09, "desktop": 0.36},
        iphone=0.6, consent=0.28, decline=0.5,
        channels={"direct": 0.17, "search": 0.48, "social": 0.15, "ai": 0.08, "referral": 0.1, "email": 0.01,
                  "paid": 0.01},
        search=(("www.google.com.au", 0.85), ("www.google.com", 0.1), ("www.bing.com", 0.05)),
        social=(("m.facebook.com", 0.35), ("l.instagram.com", 0.3), ("www.reddit.com", 0.2), ("www.youtube.com", 0.15)),
        ai=(("chatgpt.com", 0.7), ("gemini.google.com", 0.15), ("www.perplexity.ai", 0.15)),
        referral=(("www.japan-guide.com", 0.5), ("www.tripadvisor.com", 0.3), ("www.snowjapan.com", 0.2)),
        booking=(("https://www.booking.com/city/jp/aizuwakamatsu.en-gb.html", 0.5),
                 ("https://www.agoda.com/city/aizuwakamatsu-jp.html", 0.3),
                 ("https://www.expedia.com/Aizuwakamatsu-Hotels.d6129433.Travel-Guide-Hotels", 0.2)),
    ),
    MarketProfile(
        key="japan", name="Japan (residents)", share=0.08,
        countries=(
            Country("JP", 1.0, (("Asia/Tokyo", 1),),
                               (("ja", "ja", 0.55), ("ja-jp", "ja", 0.3), ("en-us", "en", 0.1),
                                ("zh-cn", "zh-hans", 0.05))),
        ),
        themes={"onsen": 0.8, "history": 0.7, "sake": 0.7, "food": 0.7, "festivals": 0.6, "crafts": 0.5,
                "autumn-leaves": 0.5, "railway": 0.5, "pilgrimage": 0.3, "samurai": 0.3, "nature": 0.4, "snow": 0.2,
                "cherry-blossoms": 0.4, "family": 0.3, "photography": 0.2},
        travel_months=(0.8, 0.8, 0.9, 1.1, 1.3, 0.7, 1.0, 1.5, 1.0, 1.3, 1.2, 0.8),
        parties={"solo": 0.25, "couple": 0.3, "family": 0.3, "group": 0.15},
        devices={"mobile": 0.65, "tablet": 0.05, "desktop": 0.3},
        iphone=0.68, consent=0.32, decline=0.45,
        channels={"direct": 0.2, "search": 0.45, "social": 0.2, "ai": 0.05, "referral": 0.08, "email": 0.01,
                  "paid": 0.01},
        search=(("www.google.co.jp", 0.6), ("search.yahoo.co.jp", 0.32), ("www.bing.com", 0.08)),
        social=(("t.co", 0.3), ("l.instagram.com", 0.25), ("line.me", 0.25), ("www.youtube.com", 0.2)),
        ai=(("chatgpt.com", 0.7), ("gemini.google.com", 0.3)),
        referral=(("www.tohokukanko.jp", 0.5), ("www.city.aizuwakamatsu.fukushima.jp", 0.5)),
        booking=(("https://www.jalan.net/", 0.55), ("https://travel.rakuten.co.jp/", 0.45)),
    ),
)

# fmt: on

# When a theme is at its best (months). "festivals" is taken from the festival pages' months when there are any.
THEME_SEASONS: dict[str, frozenset[int]] = {
    "snow": frozenset({12, 1, 2, 3}),
    "autumn-leaves": frozenset({10, 11}),
    "cherry-blossoms": frozenset({4, 5}),
    "festivals": frozenset({1, 2, 4, 9}),
}
# How a party changes what appeals (added to the theme weights) and how long a route may be.
PARTY_THEMES: dict[str, dict[str, float]] = {
    "solo": {"railway": 0.4, "pilgrimage": 0.4, "history": 0.2, "family": -0.6},
    "couple": {"onsen": 0.5, "photography": 0.3, "sake": 0.2, "family": -0.5},
    "family": {"family": 0.9, "nature": 0.2, "sake": -0.8, "pilgrimage": -0.4},
    "group": {"food": 0.4, "sake": 0.4, "family": -0.4},
}
PARTY_MULTI_DAY = {"solo": 0.1, "couple": 0.15, "family": -0.35, "group": -0.15}
# Planning ahead: how likely the travel month is 0, 1, 2 ... 11 months after the first visit.
LEAD_MONTHS = (0.45, 1.0, 1.0, 0.8, 0.55, 0.35, 0.22, 0.14, 0.1, 0.08, 0.08, 0.1)
# Activity by hour of the day in the visitor's own time zone: low at night, lunch, an evening peak.
LOCAL_HOURS = (1.5, 0.9, 0.5, 0.3, 0.2, 0.3, 0.8, 1.6, 2.4, 2.8, 2.8, 3.0,
               4.0, 3.6, 3.0, 3.0, 3.1, 3.4, 3.8, 4.6, 5.6, 6.0, 5.2, 3.2)  # fmt: skip
WEEKDAY = (0.95, 0.93, 0.95, 0.98, 1.05, 1.12, 1.1)  # Monday..Sunday

PERSONAL_SPREAD = 0.6  # standard deviation of a person's deviation from their market, per theme
INTEREST_BONUS = 0.5  # added to the 2-3 themes a person cares most about
THEME_SCALE = 1.25  # weight of theme affinity in every choice
RANDOM_CLICK = 0.08  # share of choices made at random (a picture caught the eye, a misclick)
OUT_OF_SEASON = -1.3  # a route whose best months do not include the travel month
PARTY_MISFIT = -1.4  # a route that does not suit the party
MAX_EVENTS_PER_DAY = 60  # at most this many events of one person in one day (their longest browsing)

SEARCH_TERMS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"snow": ("snow", "ouchi-juku snow festival", "winter"), "onsen": ("onsen", "hot spring", "higashiyama"),
           "history": ("castle", "tsuruga castle", "sazaedo"), "samurai": ("samurai", "byakkotai", "nisshinkan"),
           "sake": ("sake", "brewery", "sake tasting"), "food": ("ramen", "kitakata ramen", "food"),
           "crafts": ("lacquer", "lacquerware", "pottery"), "nature": ("lake inawashiro", "bandai", "goshikinuma"),
           "autumn-leaves": ("autumn leaves", "koyo", "autumn"), "cherry-blossoms": ("cherry blossom", "sakura"),
           "railway": ("tadami line", "train", "tadami"), "photography": ("photo spot", "tadami bridge"),
           "family": ("kids", "family"), "festivals": ("festival", "aizu matsuri", "candle festival"),
           "pilgrimage": ("temple", "kannon")},
    "ja": {"snow": ("雪", "大内宿 雪まつり"), "onsen": ("温泉", "東山温泉", "芦ノ牧温泉"),
           "history": ("鶴ヶ城", "さざえ堂"),
           "samurai": ("白虎隊", "日新館"), "sake": ("日本酒", "酒蔵"), "food": ("喜多方ラーメン", "ソースカツ丼"),
           "crafts": ("会津塗", "漆器"), "nature": ("猪苗代湖", "磐梯山", "五色沼"), "autumn-leaves": ("紅葉",),
           "cherry-blossoms": ("桜", "鶴ヶ城 桜"), "railway": ("只見線", "会津鉄道"), "photography": ("撮影スポット",),
           "family": ("子連れ",), "festivals": ("会津まつり", "十日市"), "pilgrimage": ("三十三観音",)},
    "zh-hant": {"snow": ("雪景", "大內宿", "雪"), "onsen": ("溫泉", "東山溫泉"), "history": ("鶴城", "榮螺堂"),
                "samurai": ("白虎隊", "武士"), "sake": ("日本酒", "酒造"), "food": ("喜多方拉麵", "拉麵"),
                "crafts": ("漆器",), "nature": ("豬苗代湖", "五色沼"), "autumn-leaves": ("紅葉",),
                "cherry-blossoms": ("櫻花",), "railway": ("只見線", "鐵道"), "photography": ("攝影", "只見川第一橋梁"),
                "family": ("親子",), "festivals": ("祭典",), "pilgrimage": ("觀音",)},
    "zh-hans": {"snow": ("雪景", "大内宿"), "onsen": ("温泉",), "history": ("鹤城", "会津若松城"),
                "samurai": ("白虎队",),
                "sake": ("日本酒", "清酒"), "food": ("喜多方拉面", "拉面"), "crafts": ("漆器",),
                "nature": ("猪苗代湖", "五色沼"), "autumn-leaves": ("红叶",), "cherry-blossoms": ("樱花",),
                "railway": ("只见线",), "photography": ("摄影", "拍照"), "family": ("亲子",), "festivals": ("祭典",),
                "pilgrimage": ("观音",)},
    "ko": {"snow": ("설경", "눈", "오우치주쿠"), "onsen": ("온천", "히가시야마 온천"), "history": ("쓰루가성",),
           "samurai": ("사무라이", "백호대"), "sake": ("사케", "양조장"), "food": ("라멘", "기타카타 라멘"),
           "crafts": ("칠기",), "nature": ("이나와시로 호수", "반다이산"), "autumn-leaves": ("단풍",),
           "cherry-blossoms": ("벚꽃",), "railway": ("다다미선", "기차"), "photography": ("사진",),
           "family": ("가족",), "festivals": ("축제",), "pilgrimage": ("관음",)},
    "th": {"snow": ("หิมะ", "โออุจิจุกุ"), "onsen": ("ออนเซ็น", "บ่อน้ำพุร้อน"), "history": ("ปราสาท", "ปราสาทสึรุงะ"),
           "samurai": ("ซามูไร",), "sake": ("สาเก",), "food": ("ราเมน", "อาหาร"), "crafts": ("เครื่องเขิน",),
           "nature": ("ทะเลสาบ", "ธรรมชาติ"), "autumn-leaves": ("ใบไม้เปลี่ยนสี",), "cherry-blossoms": ("ซากุระ",),
           "railway": ("รถไฟ", "ทาดามิ"), "photography": ("จุดถ่ายรูป",), "family": ("ครอบครัว",),
           "festivals": ("เทศกาล",), "pilgrimage": ("วัด",)},
}  # fmt: skip
# What visitors also look for that the content hardly covers (most get 0 results; the count is whatever the
# site search really finds).
UNANSWERED_TERMS: dict[str, tuple[str, ...]] = {
    "en": ("ski resort", "jr pass", "luggage storage", "halal", "wifi", "nikko", "car rental", "tsurga castle"),
    "ja": ("駐車場", "レンタカー", "スキー場", "コインロッカー"),
    "zh-hant": ("滑雪場", "行李寄放", "JR PASS", "租車"),
    "zh-hans": ("滑雪场", "租车", "行李寄存"),
    "ko": ("스키장", "렌터카", "JR 패스"),
    "th": ("สกี", "ที่พัก", "เช่ารถ", "JR PASS"),
}
RAIL_LINKS = ("https://www.jreast.co.jp/multi/en/pass/", "https://www.eki-net.com/", "https://www.aizutetsudo.jp/")
BUS_LINKS = ("https://www.aizubus.com/",)
BROKEN_PATHS = ("routes/{slug}-2023/", "spot/{slug}/", "festivals/{slug}-2024/", "route/{slug}", "access/",
                "spots/{slug}/photos/")  # fmt: skip

USER_AGENTS = {
    "iphone": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.6 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.7 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "CriOS/139.0.7258.76 Mobile/15E148 Safari/604.1",
    ),
    "android": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 Mobile "
        "Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921N) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36",
    ),
    "android-cn": (
        "Mozilla/5.0 (Linux; Android 12; HarmonyOS; ALN-AL00; HMSCore 6.13.0.302) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/114.0.5735.196 HuaweiBrowser/15.0.4.312 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 XWEB/1300289 MMWEBSDK/20240404 "
        "MicroMessenger/8.0.49.2600(0x2800313D) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64",
    ),
    "in-app": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 Safari Line/15.12.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 [FBAN/FBIOS;FBAV/520.0.0.41.106;FBBV/761421930;FBDV/iPhone16,2;FBMD/iPhone;FBSN/iOS;"
        "FBSV/18.6;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 Instagram 390.0.0.29.91 (iPhone15,3; iOS 18_6; en_US; en; scale=3.00; 1290x2796; 747155429)",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 KAKAOTALK 10.8.5",
    ),
    "ipad": (
        "Mozilla/5.0 (iPad; CPU OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 "
        "Mobile/15E148 Safari/604.1",
    ),
    "android-tablet": (
        "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 "
        "Safari/537.36",
    ),
    "desktop": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 "
        "Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 "
        "Safari/537.36 Edg/139.0.0.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:142.0) Gecko/20100101 Firefox/142.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 "
        "Safari/605.1.15",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/139.0.0.0 Safari/537.36",
    ),
}
# In-app browsers by social site (index into USER_AGENTS["in-app"]): who opens links inside their own app.
IN_APP = {"line.me": 0, "m.facebook.com": 1, "l.instagram.com": 2, "story.kakao.com": 3}
IN_APP_SHARE = 0.5  # of phone users whose first visit comes from such a site

# ---------------------------------------------------------------------------------------------------------------
# The catalogue: what the site has, read from Wagtail.
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class PageInfo:
    id: int
    kind: str  # home, route_index, spot_index, event_index, route, spot, event, standard
    label: str  # model label as the tracker reports it, e.g. "routes.routepage"
    slug: str
    urls: dict[str, str]  # language → absolute URL
    fallback: dict[str, bool]  # language → shown in fallback
    themes: tuple[str, ...] = ()
    months: frozenset[int] = frozenset()
    party_fit: frozenset[str] = frozenset(PARTIES)
    multi_day: bool = False
    spots: tuple[int, ...] = ()  # route: spots of its stops; event: its spot
    routes: tuple[int, ...] = ()  # route: related routes; spot: routes through it
    official: str = ""
    directions: str = ""


@dataclass
class Catalogue:
    site: int
    host: str
    base: str  # scheme and host of page URLs, e.g. "http://localhost"
    pages: dict[int, PageInfo]
    home: PageInfo
    route_index: PageInfo | None
    spot_index: PageInfo | None
    event_index: PageInfo | None
    routes: list[PageInfo]
    spots: list[PageInfo]
    events: list[PageInfo]
    standard: list[PageInfo]
    themes: tuple[str, ...]
    seasons: dict[str, frozenset[int]]
    search_cache: dict[tuple[str, str], tuple[int, tuple[int, ...]]] = field(default_factory=dict)

    def search(self, language: str, term: str) -> tuple[int, tuple[int, ...]]:
        """Result count and the first hits' page ids, from the site's own search index."""
        key = (language, term)
        if key not in self.search_cache:
            terms = query_terms(term)
            if not terms:
                self.search_cache[key] = (0, ())
            else:
                documents = matching_documents(language, terms)
                hits = tuple(documents.values_list("page_id", flat=True)[:5])
                self.search_cache[key] = (documents.count() if hits else 0, hits)
        return self.search_cache[key]


class NoContent(Exception):
    """There are no live routes to visit: load the demo content first."""


def _site() -> Site:
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        raise NoContent("there is no Wagtail site")
    return site


def load_catalogue() -> Catalogue:
    site = _site()
    records = records_by_page()
    root = site.root_page
    live = Page.objects.live().descendant_of(root, inclusive=True).specific()
    pages: dict[int, PageInfo] = {}
    route_pages: list[RoutePage] = []
    spot_pages: list[SpotPage] = []
    event_pages: list[EventPage] = []
    kinds = {
        RouteIndexPage: "route_index",
        SpotIndexPage: "spot_index",
        EventIndexPage: "event_index",
        RoutePage: "route",
        SpotPage: "spot",
        EventPage: "event",
    }
    for page in live:
        if page.pk == root.pk:
            kind = "home"
        else:
            kind = kinds.get(type(page), "standard")
        urls = {}
        for code in LANGUAGES:
            with translation.override(code):
                url = page.get_full_url()
            if url:
                urls[code] = url
        if not urls:
            continue
        statuses = translation_statuses(page, records.get(page.pk, []))
        info = PageInfo(
            id=page.pk,
            kind=kind,
            label=type(page)._meta.label_lower,
            slug=page.slug_en or page.slug,
            urls=urls,
            fallback={code: not statuses[code].has_language for code in LANGUAGES if code in statuses},
        )
        if hasattr(page, "themes"):
            info.themes = tuple(sorted(page.themes.values_list("key", flat=True)))
            info.months = frozenset(page.best_months or ())
        if isinstance(page, RoutePage):
            info.party_fit = frozenset(page.party_fit or PARTIES)
            info.multi_day = page.duration_unit == "days" and page.duration_amount > 1
            route_pages.append(page)
        elif isinstance(page, SpotPage):
            info.official = page.official_website
            info.directions = directions_url(page.latitude, page.longitude, page.title)
            spot_pages.append(page)
        elif isinstance(page, EventPage):
            event_pages.append(page)
            info.spots = (page.spot_id,) if page.spot_id else ()
        pages[page.pk] = info
    if not route_pages:
        raise NoContent("there are no live routes: run manage.py load_demo_content first")
    for route in route_pages:
        info = pages[route.pk]
        info.spots = tuple(
            dict.fromkeys(stop.spot_id for stop in route.stops.all() if stop.spot_id and stop.spot_id in pages)
        )
        info.routes = tuple(pk for pk in route.rank_related_routes() if pk in pages)
    for info in pages.values():
        if info.kind == "spot":
            info.routes = tuple(r.id for r in pages.values() if r.kind == "route" and info.id in r.spots)
        if info.kind == "event":
            info.spots = tuple(s for s in info.spots if s in pages)
    seasons = dict(THEME_SEASONS)
    festival_months = frozenset(m for event in event_pages for m in (event.best_months or ()))
    if festival_months:
        seasons["festivals"] = festival_months

    def by_kind(kind: str) -> list[PageInfo]:
        return sorted((p for p in pages.values() if p.kind == kind), key=lambda p: p.id)

    home = pages.get(root.pk) or next(iter(pages.values()))
    base = home.urls.get("en") or next(iter(home.urls.values()))
    base = base.split("/", 3)
    return Catalogue(
        site=site.pk,
        host=site.hostname,
        base=f"{base[0]}//{base[2]}",
        pages=pages,
        home=home,
        route_index=next(iter(by_kind("route_index")), None),
        spot_index=next(iter(by_kind("spot_index")), None),
        event_index=next(iter(by_kind("event_index")), None),
        routes=[pages[r.pk] for r in sorted(route_pages, key=lambda r: r.path)],
        spots=[pages[s.pk] for s in sorted(spot_pages, key=lambda s: s.path)],
        events=[pages[e.pk] for e in sorted(event_pages, key=lambda e: e.path)],
        standard=by_kind("standard"),
        themes=tuple(Theme.objects.values_list("key", flat=True)),
        seasons=seasons,
    )


# ---------------------------------------------------------------------------------------------------------------
# People: the hidden truth.
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Person:
    """One synthetic person. Everything here is the generator's truth; only what the site would see is stored."""

    index: int
    market: str
    country: str
    time_zone: str
    browser_lang: str
    language: str  # the site language they read (a switch in the language menu changes it, as the cookie does)
    weights: dict[str, float]  # their theme weights: market profile + personal deviation + interest bonus
    interests: tuple[str, ...]  # the 2-3 themes they care most about
    travel_month: int
    party: str
    device: str
    user_agent: str
    ip: str
    consents: bool
    declines: bool
    withdraws: bool
    first_day: dt.date
    first_channel: str
    days: list[dt.date] = field(default_factory=list)
    visitor_ids: dict[dt.date, int] = field(default_factory=dict)  # the daily anonymous ids intake stored
    token_hash: str | None = None
    stated_interests: list[str] = field(default_factory=list)  # what they typed into their profile, if anything
    stated_month: int | None = None
    stated_party: str = ""
    saved: dict[int, dt.datetime] = field(default_factory=dict)  # route id → when it was saved
    route_scores: dict[int, float] = field(default_factory=dict)
    spot_scores: dict[int, float] = field(default_factory=dict)
    event_scores: dict[int, float] = field(default_factory=dict)
    consented_at: dt.datetime | None = None
    last_seen: dt.datetime | None = None


@dataclass
class Result:
    people: list[Person]
    start: dt.date
    until: dt.date
    visits: int = 0
    events: int = 0
    refused: int = 0
    by_name: Counter = field(default_factory=Counter)
    profiles: int = 0
    declined: int = 0
    withdrawn: int = 0
    seconds: float = 0.0

    @property
    def markets(self) -> Counter:
        return Counter(p.market for p in self.people)


def _pick(rng: random.Random, weighted) -> object:
    """One key of a {key: weight} dict or one item of a ((item, weight), ...) sequence."""
    items = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
    return rng.choices([item for item, _w in items], [w for _item, w in items])[0]


def _gumbel(rng: random.Random) -> float:
    return -math.log(-math.log(rng.random() or 1e-12) or 1e-12)


def _choose(rng: random.Random, candidates: list[int], scores: dict[int, float], bias: float = 0.0) -> int:
    """Softmax choice by Gumbel-max, with a share of random picks; `bias` favours the first-listed slightly."""
    if rng.random() < RANDOM_CLICK:
        return rng.choice(candidates)
    best, best_value = candidates[0], -math.inf
    for position, candidate in enumerate(candidates):
        value = scores.get(candidate, 0.0) - bias * position + _gumbel(rng)
        if value > best_value:
            best, best_value = candidate, value
    return best


def _fake_ip(rng: random.Random) -> str:
    """Addresses from the documentation ranges (RFC 5737, RFC 3849): they belong to nobody."""
    roll = rng.random()
    if roll < 0.12:
        return f"198.51.100.{rng.randrange(1, 255)}"
    if roll < 0.24:
        return f"203.0.113.{rng.randrange(1, 255)}"
    return f"2001:db8:{rng.randrange(65536):x}:{rng.randrange(65536):x}::{rng.randrange(1, 65536):x}"


def _user_agent(rng: random.Random, market: MarketProfile, device: str, social_host: str | None) -> str:
    if device == "desktop":
        return rng.choice(USER_AGENTS["desktop"])
    ios = rng.random() < market.iphone
    if device == "tablet":
        return USER_AGENTS["ipad"][0] if ios else USER_AGENTS["android-tablet"][0]
    if social_host in IN_APP and rng.random() < IN_APP_SHARE:
        return USER_AGENTS["in-app"][IN_APP[social_host]]
    if ios:
        return rng.choice(USER_AGENTS["iphone"])
    if market.key == "mainland-china" and rng.random() < 0.6:
        return rng.choice(USER_AGENTS["android-cn"])
    return rng.choice(USER_AGENTS["android"])


def _softmax_pick(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    chosen: list[str] = []
    pool = dict(weights)
    for _ in range(min(k, len(pool))):
        key = max(pool, key=lambda t: pool[t] + _gumbel(rng) * 0.5)
        chosen.append(key)
        pool.pop(key)
    return chosen


class Simulator:
    def __init__(self, catalogue: Catalogue, *, people: int, days: int, until: dt.date, seed: int):
        self.catalogue = catalogue
        self.seed = seed
        self.until = until
        self.start = until - dt.timedelta(days=days - 1)
        self.days = [self.start + dt.timedelta(days=n) for n in range(days)]
        self.n_people = people
        self.markets = {m.key: m for m in MARKETS}
        notice = ConsentNotice.objects.first()
        self.notice_version = notice.version if notice else 1

    # --- when people come -------------------------------------------------------------------------------------

    def _campaign_days(self, campaign: Campaign) -> dict[dt.date, float]:
        first = round(campaign.start * (len(self.days) - 1))
        weights = {}
        for offset in range(campaign.days):
            if first + offset < len(self.days):
                fade = 0.45**offset if campaign.channel == "email" else 1.0
                weights[self.days[first + offset]] = campaign.weight * fade * (4 if campaign.channel == "email" else 1)
        return weights

    def _day_channels(self, market: MarketProfile) -> dict[dt.date, dict[str, float]]:
        """Relative visits per day by channel: weekday, a slow rise over the window, and campaign bumps."""
        result = {}
        campaigns = [(c, self._campaign_days(c)) for c in market.campaigns]
        for n, day in enumerate(self.days):
            level = WEEKDAY[day.weekday()] * (0.9 + 0.2 * n / max(len(self.days) - 1, 1))
            channels = {key: weight * level for key, weight in market.channels.items()}
            for campaign, days in campaigns:
                if day in days:
                    channels[f"campaign:{campaign.key}"] = days[day] * level
            result[day] = channels
        return result

    # --- who they are -----------------------------------------------------------------------------------------

    def make_people(self) -> list[Person]:
        markets = list(MARKETS)
        day_channels = {m.key: self._day_channels(m) for m in markets}
        people = []
        for index in range(self.n_people):
            rng = random.Random(f"visitaizu-synthetic:{self.seed}:person:{index}")
            market = _pick(rng, [(m, m.share) for m in markets])
            country = _pick(rng, [(c, c.weight) for c in market.countries])
            browser_lang, language = _pick(rng, [((b, s), w) for b, s, w in country.languages])
            channels = day_channels[market.key]
            first_day = _pick(rng, [(day, sum(ch.values())) for day, ch in channels.items()])
            first_channel = _pick(rng, channels[first_day])
            # Personal interests: the market's profile, shifted for this person, plus their 2-3 favourites.
            weights = {
                theme: market.themes.get(theme, 0.0) + rng.gauss(0, PERSONAL_SPREAD) for theme in self.catalogue.themes
            }
            interests = tuple(_softmax_pick(rng, weights, rng.choice((2, 2, 3))))
            for theme in interests:
                weights[theme] += INTEREST_BONUS
            browse_month = first_day.month
            month_weights = [
                (month, market.travel_months[month - 1] * LEAD_MONTHS[(month - browse_month) % 12])
                for month in range(1, 13)
            ]
            travel_month = _pick(rng, month_weights)
            party = _pick(rng, market.parties)
            for theme, bonus in PARTY_THEMES.get(party, {}).items():
                if theme in weights:
                    weights[theme] += bonus
            device = _pick(rng, market.devices)
            social_host = _pick(rng, market.social) if first_channel == "social" else None
            consents = rng.random() < market.consent
            person = Person(
                index=index,
                market=market.key,
                country=country.code,
                time_zone=_pick(rng, country.time_zones),
                browser_lang=browser_lang,
                language=language,
                weights=weights,
                interests=interests,
                travel_month=travel_month,
                party=party,
                device=device,
                user_agent=_user_agent(rng, market, device, social_host),
                ip=_fake_ip(rng),
                consents=consents,
                declines=not consents and rng.random() < market.decline,
                withdraws=consents and rng.random() < 0.02,
                first_day=first_day,
                first_channel=first_channel if social_host is None else f"social:{social_host}",
            )
            person.days = self._visit_days(rng, person)
            self._score(person)
            if consents:
                person.stated_interests = (
                    sorted(_softmax_pick(rng, {t: person.weights[t] for t in person.weights}, rng.choice((2, 3, 3, 4))))
                    if rng.random() < 0.7
                    else []
                )
                person.stated_month = (
                    (travel_month if rng.random() < 0.9 else (travel_month % 12) + 1) if rng.random() < 0.6 else None
                )
                person.stated_party = party if rng.random() < 0.6 else ""
            people.append(person)
        return people

    def _visit_days(self, rng: random.Random, person: Person) -> list[dt.date]:
        """The first visit, then returns: people who keep a profile plan longer and come back more often."""
        days = [person.first_day]
        returns = 0.72 if person.consents else 0.3
        day = person.first_day
        while rng.random() < returns and len(days) < 8:
            day = day + dt.timedelta(days=1 + int(rng.expovariate(1 / 4.5)))
            if day > self.until:
                break
            days.append(day)
            returns *= 0.85
        return days

    # --- what appeals to them ---------------------------------------------------------------------------------

    def _theme_score(self, person: Person, themes: tuple[str, ...]) -> float:
        if not themes:
            return 0.0
        return THEME_SCALE * sum(person.weights.get(t, 0.0) for t in themes) / math.sqrt(len(themes))

    def _season_score(self, person: Person, page: PageInfo) -> float:
        month = person.travel_month
        score = 0.0
        if page.months and month not in page.months:
            score += OUT_OF_SEASON if page.kind == "route" else OUT_OF_SEASON / 2
        seasonal = [t for t in page.themes if t in self.catalogue.seasons]
        for theme in seasonal:
            liking = 0.5 + max(person.weights.get(theme, 0.0), 0.0)
            score += (0.45 if month in self.catalogue.seasons[theme] else -0.45) * liking / math.sqrt(len(page.themes))
        return score

    def _party_score(self, person: Person, page: PageInfo) -> float:
        score = 0.0 if person.party in page.party_fit else PARTY_MISFIT
        if page.multi_day:
            score += PARTY_MULTI_DAY.get(person.party, 0.0)
        return score

    def _score(self, person: Person) -> None:
        cat = self.catalogue
        for route in cat.routes:
            person.route_scores[route.id] = (
                self._theme_score(person, route.themes)
                + self._season_score(person, route)
                + self._party_score(person, route)
            )
        for spot in cat.spots:
            person.spot_scores[spot.id] = self._theme_score(person, spot.themes) + self._season_score(person, spot)
        for event in cat.events:
            in_month = person.travel_month in event.months if event.months else False
            person.event_scores[event.id] = self._theme_score(person, event.themes) + (1.0 if in_month else -0.6)

    def _affinity(self, person: Person, page: PageInfo) -> float:
        """How much this page appeals to this person compared with the others of its kind (0 = average)."""
        scores = {"route": person.route_scores, "spot": person.spot_scores, "event": person.event_scores}.get(page.kind)
        if not scores or page.id not in scores:
            return 0.0
        mean = sum(scores.values()) / len(scores)
        return scores[page.id] - mean

    # --- one visit --------------------------------------------------------------------------------------------

    def _landing(self, rng: random.Random, person: Person, channel: str, campaign: Campaign | None) -> PageInfo:
        cat = self.catalogue
        if campaign is not None:
            themed = [r.id for r in cat.routes if set(r.themes) & set(campaign.themes)]
            if not themed or (rng.random() < 0.25 and cat.route_index):
                return cat.route_index or cat.home
            return cat.pages[rng.choice(themed)]  # the campaign chose the route, not the person
        table = {
            "direct": {"home": 0.55, "route": 0.22, "spot": 0.08, "route_index": 0.1, "event": 0.05},
            "search": {"route": 0.42, "spot": 0.38, "home": 0.1, "event": 0.06, "standard": 0.04},
            "social": {"route": 0.55, "spot": 0.2, "home": 0.15, "event": 0.1},
            "ai": {"route": 0.68, "spot": 0.2, "home": 0.12},
            "referral": {"route": 0.4, "spot": 0.3, "home": 0.2, "event": 0.1},
            "email": {"home": 0.6, "route_index": 0.4},
            "paid": {"home": 0.6, "route_index": 0.4},
        }[channel]
        kind = _pick(rng, table)
        return self._page_of_kind(rng, person, kind)

    def _page_of_kind(self, rng: random.Random, person: Person, kind: str) -> PageInfo:
        cat = self.catalogue
        if kind == "route":
            return cat.pages[_choose(rng, [r.id for r in cat.routes], person.route_scores)]
        if kind == "spot" and cat.spots:
            return cat.pages[_choose(rng, [s.id for s in cat.spots], person.spot_scores)]
        if kind == "event" and cat.events:
            return cat.pages[_choose(rng, [e.id for e in cat.events], person.event_scores)]
        if kind == "standard" and cat.standard:
            return rng.choice(cat.standard)
        page = {"route_index": cat.route_index, "spot_index": cat.spot_index, "event_index": cat.event_index}.get(kind)
        return page or cat.home

    def _next_page(self, rng: random.Random, person: Person, page: PageInfo, returning: bool) -> PageInfo:
        cat = self.catalogue
        if returning and person.saved and rng.random() < 0.3:
            return cat.pages[rng.choice(sorted(person.saved))]  # back to a route they saved
        if page.kind == "home":
            kind = _pick(rng, {"home_route": 0.45, "route_index": 0.25, "spot_index": 0.07, "event_index": 0.1,
                               "standard": 0.13})  # fmt: skip
            if kind == "home_route":
                shown = [r.id for r in cat.routes[:6]]  # the home page lists the first six routes
                return cat.pages[_choose(rng, shown, person.route_scores, bias=0.06)]
            return self._page_of_kind(rng, person, kind)
        if page.kind == "route_index":
            if rng.random() < 0.85:
                return cat.pages[_choose(rng, [r.id for r in cat.routes], person.route_scores, bias=0.04)]
            return self._page_of_kind(rng, person, _pick(rng, {"home": 0.5, "spot_index": 0.3, "event_index": 0.2}))
        if page.kind == "route":
            roll = rng.random()
            if roll < 0.38 and page.spots:
                return cat.pages[_choose(rng, list(page.spots), person.spot_scores)]
            if roll < 0.62 and page.routes:
                return cat.pages[_choose(rng, list(page.routes), person.route_scores)]
            if roll < 0.72 and cat.standard:
                return rng.choice(cat.standard)
            return self._page_of_kind(rng, person, _pick(rng, {"route_index": 0.7, "home": 0.15, "event_index": 0.15}))
        if page.kind == "spot":
            roll = rng.random()
            if roll < 0.45 and page.routes:
                return cat.pages[_choose(rng, list(page.routes), person.route_scores)]
            return self._page_of_kind(rng, person, _pick(rng, {"spot": 0.35, "spot_index": 0.2, "route_index": 0.3,
                                                                  "home": 0.15}))  # fmt: skip
        if page.kind == "event_index":
            if rng.random() < 0.75 and cat.events:
                return self._page_of_kind(rng, person, "event")
            return self._page_of_kind(rng, person, "route_index")
        if page.kind == "event":
            if page.spots and rng.random() < 0.4:
                return cat.pages[page.spots[0]]
            return self._page_of_kind(rng, person, _pick(rng, {"event_index": 0.4, "route_index": 0.4, "home": 0.2}))
        if page.kind == "spot_index":
            return self._page_of_kind(rng, person, "spot" if rng.random() < 0.85 else "route_index")
        return self._page_of_kind(rng, person, _pick(rng, {"home": 0.4, "route_index": 0.6}))

    def _visit(self, rng: random.Random, person: Person, start: dt.datetime, channel: str,
               campaign: Campaign | None, returning: bool, first: bool, budget: int) -> list[tuple]:  # fmt: skip
        """The events of one visit: [(at, body, with_profile)], at most `budget` of them."""
        cat = self.catalogue
        market = self.markets[person.market]
        out: list[tuple] = []
        referrer, query = "", ""
        if campaign is None and channel in ("email", "paid"):  # outside campaigns: the newsletter, always-on ads
            source, medium = ("newsletter", "email") if channel == "email" else ("google", "cpc")
            campaign = Campaign(f"{market.key}-{medium}", channel, source, medium, 0.0, 1, 0.0, ())
        if campaign is not None:
            query = "?" + urlencode(
                {"utm_source": campaign.source, "utm_medium": campaign.medium, "utm_campaign": campaign.key}
            )
            if campaign.medium == "email" and rng.random() < 0.4:
                referrer = "https://mail.google.com/"
        elif channel == "search":
            referrer = f"https://{_pick(rng, market.search)}/"
        elif channel.startswith("social"):
            host = channel.split(":", 1)[1] if ":" in channel else _pick(rng, market.social)
            referrer = f"https://{host}/"
            channel = "social"
        elif channel == "ai":
            host = _pick(rng, market.ai)
            if rng.random() < 0.5:
                referrer = f"https://{host}/"
            else:
                query = "?" + urlencode({"utm_source": host})
        elif channel == "referral":
            referrer = f"https://{_pick(rng, market.referral)}/"
        lang = person.language
        if channel in ("search", "ai", "referral", "social") and lang != "en" and rng.random() < 0.08:
            lang = "en"  # an English-language link
        consent_pending = person.consents and first
        with_profile = person.consents and not first
        t = start
        page: PageInfo | None = None
        # A few visits start on a broken link from an old post, and end there or go home.
        if rng.random() < 0.012:
            slug = rng.choice(cat.routes + cat.spots + cat.events).slug
            path = rng.choice(BROKEN_PATHS).format(slug=slug)
            out.append((t, {"n": "404", "u": f"{cat.base}/{lang}/{path}", "r": referrer, "l": lang}, with_profile))
            if rng.random() < 0.5:
                return out
            t += dt.timedelta(seconds=rng.uniform(3, 15))
            referrer, query = f"{cat.base}/{lang}/{path}", ""
            page = cat.home
        if page is None:
            page = self._landing(rng, person, channel, campaign)
        steps, max_pages = 0, 14
        while len(out) < budget - 4:
            url = page.urls.get(lang) or next(iter(page.urls.values()))
            if page.kind == "route_index" and not query and rng.random() < 0.25:
                theme = max(person.weights, key=lambda k: person.weights[k] + _gumbel(rng) * 0.7)
                query = "?" + urlencode({"theme": theme})  # the theme filter
            url += query
            fallback = page.fallback.get(lang, False)
            base = {"u": url, "l": lang, "f": fallback, "p": page.id, "t": page.label}
            if referrer:
                base["r"] = referrer
            out.append((t, {"n": "pageview", **base}, with_profile))
            if consent_pending:
                person.consented_at = t + dt.timedelta(seconds=rng.uniform(4, 20))
                consent_pending, with_profile = False, True
            affinity = self._affinity(person, page)
            detail = page.kind in ("route", "spot", "event")
            median = {"route": 55_000, "spot": 40_000, "event": 35_000}.get(page.kind, 18_000)
            ms = int(min(max(math.exp(math.log(median) + 0.5 * affinity + rng.gauss(0, 0.8)), 900), 1_800_000))
            scroll = int(min(max(round((45 if detail else 35) + 18 * affinity + rng.gauss(0, 22)), 0), 100))
            leave = t + dt.timedelta(milliseconds=ms)
            left_site = False
            if page.kind == "route":
                p_save = 1 / (1 + math.exp(-(-3.4 + 1.2 * affinity + (0.8 if person.consents else 0.0))))
                if page.id not in person.saved and rng.random() < p_save:
                    at = t + dt.timedelta(milliseconds=int(ms * rng.uniform(0.3, 0.9)))
                    out.append((at, {"n": "save", **base, "d": {"route": page.id, "saved": True}}, with_profile))
                    person.saved[page.id] = at
                elif page.id in person.saved and rng.random() < 0.06:
                    at = t + dt.timedelta(milliseconds=int(ms * rng.uniform(0.3, 0.9)))
                    out.append((at, {"n": "save", **base, "d": {"route": page.id, "saved": False}}, with_profile))
                    del person.saved[page.id]
                p_book = 1 / (1 + math.exp(-(-3.8 + 1.0 * affinity + (0.6 if returning else 0.0))))
                roll = rng.random()
                if roll < p_book:
                    href = _pick(rng, market.booking)
                elif roll < p_book + 0.025:
                    href = rng.choice(RAIL_LINKS)
                elif roll < p_book + 0.04:
                    href = rng.choice(BUS_LINKS)
                else:
                    href = ""
                if href:
                    out.append((leave, {"n": "outbound", **base, "d": {"href": href}}, with_profile))
                    left_site = rng.random() < 0.7
            elif page.kind == "spot":
                roll = rng.random()
                href = ""
                if roll < 0.06 and page.directions:
                    href = page.directions
                elif roll < 0.11 and page.official:
                    href = page.official
                if href:
                    out.append((leave, {"n": "outbound", **base, "d": {"href": href}}, with_profile))
                    left_site = rng.random() < 0.6
            elif page.kind == "standard" and rng.random() < 0.12:
                href = rng.choice(RAIL_LINKS + BUS_LINKS)
                out.append((leave, {"n": "outbound", **base, "d": {"href": href}}, with_profile))
                left_site = rng.random() < 0.6
            if rng.random() < 0.96:  # the rest close the tab before the beacon leaves
                out.append((leave, {"n": "engagement", **base, "d": {"ms": ms, "scroll": scroll}}, with_profile))
            steps += 1
            p_continue = 0.6 + 0.1 * math.tanh(affinity) - (0.1 if steps == 1 and channel == "search" else 0.0)
            if left_site or steps >= max_pages or rng.random() > p_continue:
                break
            t = leave + dt.timedelta(seconds=rng.uniform(1, 12))
            referrer, query = url, ""
            # Now and then: the language menu (back to their own language after an English link, to English, or
            # a look at the Japanese original), or the site search.
            roll, target = rng.random(), None
            if lang != person.language and roll < 0.2:
                target = person.language
            elif lang != "en" and roll < 0.02:
                target = person.language = "en"  # the switcher's choice is kept for later visits
            elif lang == "en" and roll < 0.005:
                target = "ja"
            if target and target in page.urls:
                out.append((t, {"n": "language", **base, "d": {"to": target}}, with_profile))
                lang = target
                t += dt.timedelta(seconds=rng.uniform(1, 4))
                continue  # the same page again, in the new language
            if rng.random() < 0.05:
                t, page, referrer = self._search(rng, person, lang, referrer, t, out, with_profile)
                if page is None:
                    break
                continue
            page = self._next_page(rng, person, page, returning)
        return out[:budget]

    def _search(self, rng: random.Random, person: Person, lang: str, referrer: str, t: dt.datetime, out: list,
                with_profile: bool) -> tuple[dt.datetime, PageInfo | None, str]:  # fmt: skip
        """The search page (a pageview and a search event); then a hit, another page, or the end of the visit."""
        cat = self.catalogue
        if rng.random() < 0.15:
            term = rng.choice(UNANSWERED_TERMS.get(lang, UNANSWERED_TERMS["en"]))
        else:
            terms = SEARCH_TERMS.get(lang, SEARCH_TERMS["en"])
            theme = max(terms, key=lambda k: person.weights.get(k, 0.0) + _gumbel(rng) * 0.8)
            term = rng.choice(terms[theme])
        total, hits = cat.search(lang, term)
        home = cat.home.urls.get(lang) or next(iter(cat.home.urls.values()))
        url = f"{home.rstrip('/')}/search/?q={quote(term)}"
        base = {"u": url, "l": lang, "r": referrer}
        out.append((t, {"n": "pageview", **base}, with_profile))
        out.append((t, {"n": "search", **base, "d": {"term": term, "results": total}}, with_profile))
        ms = int(math.exp(math.log(12_000) + rng.gauss(0, 0.7)))
        out.append((t + dt.timedelta(milliseconds=ms), {"n": "engagement", **base, "d": {"ms": ms, "scroll": 30}},
                    with_profile))  # fmt: skip
        t += dt.timedelta(milliseconds=ms, seconds=rng.uniform(1, 5))
        known = [h for h in hits if h in cat.pages]
        if known and rng.random() < 0.7:
            return t, cat.pages[known[min(int(rng.expovariate(1.2)), len(known) - 1)]], url
        if rng.random() < 0.5:
            return t, None, url
        return t, cat.route_index or cat.home, url

    # --- the whole window -------------------------------------------------------------------------------------

    def _start_time(self, rng: random.Random, person: Person, day: dt.date, after: dt.datetime | None) -> dt.datetime:
        """A moment on Tokyo day `day`, at an hour that is busy where the person lives."""
        zone = ZoneInfo(person.time_zone)
        for _attempt in range(20):
            hour = _pick(rng, list(enumerate(LOCAL_HOURS)))
            local = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=zone)
            shift = (local.astimezone(TOKYO).date() - day).days
            local = local - dt.timedelta(days=shift)
            if after is None or local > after:
                return local.astimezone(dt.UTC)
        return (after or local) + dt.timedelta(minutes=rng.uniform(35, 180))

    def day_visits(self, people_by_day: dict[dt.date, list[Person]], day: dt.date) -> tuple[list[tuple], int]:
        """Every event of Tokyo day `day`, in time order: [(at, body, person, with_profile)]."""
        events = []
        visits = 0
        for person in people_by_day.get(day, []):
            rng = random.Random(f"visitaizu-synthetic:{self.seed}:person:{person.index}:{day.isoformat()}")
            market = self.markets[person.market]
            returning = day != person.first_day
            n_visits = 2 if rng.random() < 0.15 else 1
            budget = MAX_EVENTS_PER_DAY
            last_end = None
            for n in range(n_visits):
                first = not returning and n == 0
                if first:
                    channel = person.first_channel
                else:
                    channel = _pick(rng, {"direct": 0.45, "search": 0.35, "social": 0.1, "ai": 0.05, "referral": 0.05})
                campaign = None
                if channel.startswith("campaign:"):
                    key = channel.split(":", 1)[1]
                    campaign = next(c for c in market.campaigns if c.key == key)
                    channel = campaign.channel
                start = self._start_time(rng, person, day, last_end)
                visit = self._visit(rng, person, start, channel, campaign, returning, first, budget)
                if not visit:
                    continue
                visits += 1
                budget -= len(visit)
                last_end = max(at for at, _b, _w in visit) + dt.timedelta(minutes=31)
                events.extend((at, body, person, with_profile) for at, body, with_profile in visit)
                if budget < 8:
                    break
        events.sort(key=lambda item: (item[0], item[2].index))
        return events, visits


def _daily_salt(seed: int, day: dt.date) -> bytes:
    """Synthetic people get their own salt per day, derived from the seed (real salts are random and deleted)."""
    return hashlib.blake2b(f"visitaizu-synthetic-salt:{seed}:{day.isoformat()}".encode(), digest_size=16).digest()


def _body_bytes(body: dict) -> bytes:
    return json.dumps({k: v for k, v in body.items() if v not in ("", None)}, ensure_ascii=False).encode()


def synthetic_days() -> list[dt.date]:
    """Tokyo days that hold synthetic events."""
    days = (
        RawEvent.objects.filter(synthetic=True)
        .annotate(day=TruncDate("at", tzinfo=TOKYO))
        .values_list("day", flat=True)
        .distinct()
    )
    return sorted(set(days))


def clear_synthetic() -> dict[str, int]:
    """Delete synthetic events, consent answers and profiles (their history and saved routes go with them)."""
    days = synthetic_days()
    with transaction.atomic():
        events = RawEvent.objects.filter(synthetic=True).delete()[0]
        answers = ConsentAnswer.objects.filter(synthetic=True).delete()[0]
        profiles = VisitorProfile.objects.filter(synthetic=True).count()
        VisitorProfile.objects.filter(synthetic=True).delete()
        now = timezone.now()
        for day in days:  # the rollups of these days must be rebuilt without them
            TouchedDay.objects.update_or_create(day=day, defaults={"touched_at": now})
    return {"events": events, "consent answers": answers, "profiles": profiles}


def simulate(*, people: int, days: int, until: dt.date, seed: int,
             progress: Callable[[int], None] | None = None) -> Result:  # fmt: skip
    """Simulate `people` persons over the `days` Tokyo days ending with `until`, through the intake."""
    started = time.monotonic()
    if until >= tokyo_day():
        raise ValueError("the simulated days must be over: end yesterday at the latest")
    catalogue = load_catalogue()
    simulator = Simulator(catalogue, people=people, days=days, until=until, seed=seed)
    persons = simulator.make_people()
    result = Result(people=persons, start=simulator.start, until=until)
    _create_profiles(simulator, persons)
    people_by_day: dict[dt.date, list[Person]] = {}
    for person in persons:
        for day in person.days:
            people_by_day.setdefault(day, []).append(person)
    # Nothing after the last simulated day (a late visit runs past midnight) and nothing in the future.
    day_after = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=TOKYO)
    latest = min(timezone.now() - dt.timedelta(minutes=1), day_after - dt.timedelta(milliseconds=1))
    # Records are written in chunks (analytics.buffer.collected) rather than one transaction per event.
    with buffer.collected():
        for day in simulator.days:
            events, visits = simulator.day_visits(people_by_day, day)
            result.visits += visits
            for at, body, person, with_profile in events:
                if at > latest:
                    continue
                # The id is hashed with the salt of the event's own Tokyo day, as intake does: a visit that runs
                # past midnight continues under a new id.
                event_day = tokyo_day(at)
                visitor_id = person.visitor_ids.get(event_day)
                if visitor_id is None:
                    salt = _daily_salt(seed, event_day)
                    visitor_id = visitor_hash(catalogue.site, person.ip, person.user_agent, salt)
                    person.visitor_ids[event_day] = visitor_id
                visitor = Visitor(
                    site=catalogue.site,
                    visitor=visitor_id,
                    host=catalogue.host,
                    user_agent=person.user_agent,
                    browser_lang=person.browser_lang,
                    country=person.country,
                    profile_token_hash=person.token_hash if with_profile else None,
                    synthetic=True,
                )
                if accept_event(parse_event(_body_bytes(body)), visitor, at=at):
                    result.events += 1
                    result.by_name[body["n"]] += 1
                    person.last_seen = at
                else:
                    result.refused += 1
            if progress:
                progress(1)
    if buffer.uses_redis():
        _drain()
    _finish_profiles(simulator, persons, result)
    result.seconds = time.monotonic() - started
    return result


def _drain(timeout: float = 300.0) -> None:
    """Copy what intake queued in Redis into the database now (the drain task would, within seconds)."""
    deadline = time.monotonic() + timeout
    while buffer.pending_count():
        if not buffer.drain(max_seconds=60) and time.monotonic() > deadline:
            raise RuntimeError("the Redis buffer could not be drained (is another drain stuck?)")
        if buffer.pending_count():
            time.sleep(0.2)


def _create_profiles(simulator: Simulator, persons: list[Person]) -> None:
    """Profiles exist before the events that fill their history (intake drops history of unknown profiles)."""
    profiles = []
    for person in persons:
        if not person.consents:
            continue
        # Deterministic, and different for another window, so runs over other days never collide.
        seed = f"visitaizu-synthetic-token:{simulator.seed}:{simulator.start}:{simulator.until}:{person.index}"
        token = hashlib.blake2b(seed.encode()).hexdigest()
        person.token_hash = hash_token(token)
        profiles.append(
            VisitorProfile(
                token_hash=person.token_hash,
                notice_version=simulator.notice_version,
                country=person.country,
                language=person.language,
                interests=person.stated_interests,
                travel_month=person.stated_month,
                party=person.stated_party,
                synthetic=True,
            )
        )
    VisitorProfile.objects.bulk_create(profiles, batch_size=500)


def _finish_profiles(simulator: Simulator, persons: list[Person], result: Result) -> None:
    """Consent answers, saved routes, the profiles' real dates; withdrawals last (their history goes too)."""
    answers = []
    ids = dict(VisitorProfile.objects.filter(synthetic=True).values_list("token_hash", "id"))
    saved = []
    with transaction.atomic():
        for person in persons:
            first_at = person.consented_at or dt.datetime.combine(person.first_day, dt.time(12), tzinfo=TOKYO)
            if person.consents or person.declines:
                answers.append(
                    ConsentAnswer(
                        day=tokyo_day(first_at),
                        answer=ConsentAnswer.Answer.AGREED if person.consents else ConsentAnswer.Answer.DECLINED,
                        notice_version=simulator.notice_version,
                        country=person.country,
                        language=person.language,
                        synthetic=True,
                    )
                )
            if not person.consents or person.token_hash not in ids:
                continue
            profile_id = ids[person.token_hash]
            VisitorProfile.objects.filter(pk=profile_id).update(
                created_at=first_at, last_seen=person.last_seen or first_at, language=person.language
            )
            saved.extend((profile_id, page, at) for page, at in person.saved.items())
            if person.withdraws:  # at the end of their last visit
                answers.append(
                    ConsentAnswer(
                        day=tokyo_day(person.last_seen or first_at),
                        answer=ConsentAnswer.Answer.WITHDRAWN,
                        notice_version=simulator.notice_version,
                        country=person.country,
                        language=person.language,
                        synthetic=True,
                    )
                )
        SavedRoute.objects.bulk_create(
            [SavedRoute(profile_id=profile, page_id=page) for profile, page, _at in saved], batch_size=500
        )
        for profile, page, at in saved:  # saved_at is set on creation; give it the day they saved
            SavedRoute.objects.filter(profile_id=profile, page_id=page).update(saved_at=at)
        withdrawn = [ids[p.token_hash] for p in persons if p.withdraws and p.token_hash in ids]
        VisitorProfile.objects.filter(pk__in=withdrawn).delete()
        ConsentAnswer.objects.bulk_create(answers, batch_size=500)
    result.profiles = sum(1 for p in persons if p.consents) - len(withdrawn)
    result.withdrawn = len(withdrawn)
    result.declined = sum(1 for p in persons if p.declines)
