"""Loads the demo content in demo/data/*.json into the page tree.

Idempotent: every item is found by its key (its Japanese-column slug) and created only if missing, so a second
run changes nothing and never overwrites what staff have edited since. All non-Japanese text is flagged
"needs review" because we wrote it, not a professional translator.
"""

import html
import json
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.images import ImageFile
from django.db import transaction
from modeltranslation.utils import build_localized_fieldname
from wagtail.models import Page, Site

from content.models import Area, HomePage, StandardPage, Theme
from events.models import EventIndexPage, EventPage
from images.models import AizuImage
from routes.models import RouteIndexPage, RoutePage, RouteStop, SpotIndexPage, SpotPage
from translations.state import mark_machine_made

DATA_DIR = Path(__file__).parent / "data"
IMAGE_DIR = Path(__file__).parent / "images"
SOURCE = settings.SOURCE_LANGUAGE


def read(name: str):
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def localized(field: str, texts: dict[str, str] | None, convert: Callable[[str], str] = str) -> dict[str, str]:
    """{"ja": ..., "en": ...} → {"field_ja": ..., "field_en": ...}, every configured language, '' if absent."""
    texts = texts or {}
    return {build_localized_fieldname(field, code): convert(texts.get(code, "")) for code, _n in settings.LANGUAGES}


def paragraphs(text: str) -> str:
    """Plain text with blank-line paragraphs → rich text HTML."""
    return "".join(f"<p>{html.escape(part.strip())}</p>" for part in text.split("\n\n") if part.strip())


def decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class DemoLoader:
    def __init__(self) -> None:
        self.site = read("site")
        self.spots = read("spots")
        self.routes = read("routes")
        self.events = read("events")
        self.pages = read("pages")
        self.counts: Counter = Counter()
        self.themes: dict[str, Theme] = {}
        self.areas: dict[str, Area] = {}

    def steps(self) -> Iterator[tuple[str, Callable[[], None]]]:
        """Each unit of work with a label, so the command can show a progress bar."""
        yield "themes and areas", self.load_taxonomy
        yield "site tree", self.load_site_tree
        for item in self.spots:
            yield f"spot {item['key']}", lambda item=item: self.load_spot(item)
        for item in self.routes:
            yield f"route {item['key']}", lambda item=item: self.load_route(item)
        for item in self.events:
            yield f"festival {item['key']}", lambda item=item: self.load_event(item)
        for item in self.pages:
            yield f"page {item['key']}", lambda item=item: self.load_standard_page(item)
        yield "market preferences", self.load_market_preferences

    def load_taxonomy(self) -> None:
        for model, store, name in ((Theme, self.themes, "themes"), (Area, self.areas, "areas")):
            for item in read(name):
                defaults = localized("name", item["name"])
                if "description" in item:
                    defaults |= localized("description", item["description"])
                store[item["key"]], created = model.objects.get_or_create(key=item["key"], defaults=defaults)
                self.counts[f"{name} created" if created else f"{name} kept"] += 1

    def load_market_preferences(self) -> None:
        """Illustrative theme weights per market, rounded like a survey's: the synthetic traffic's own tastes
        (demo/SYNTHETIC_TRAFFIC.md), marked illustrative so no report passes them off as research."""
        from analytics.models import Market
        from demo.synthetic_traffic import MARKETS
        from routes.models import MarketPreference, ThemeWeight

        for profile in MARKETS:
            market = Market.objects.filter(key=profile.key).first()
            if market is None or MarketPreference.objects.filter(market=market).exists():
                self.counts["market preferences kept"] += 1
                continue
            preference = MarketPreference.objects.create(
                market=market, illustrative=True, source="Demo: illustrative weights, not survey results."
            )
            top = max(profile.themes.values())
            for order, (key, weight) in enumerate(sorted(profile.themes.items())):
                if key in self.themes:
                    ThemeWeight.objects.create(
                        preference=preference, theme=self.themes[key], sort_order=order,
                        weight=round(min(max(weight / top, 0.0), 1.0), 1),
                    )  # fmt: skip
            self.counts["market preferences created"] += 1

    def load_site_tree(self) -> None:
        root = Page.get_first_root_node()
        self.home = HomePage.objects.first()
        if self.home is None:
            # Wagtail's installer leaves a plain "Welcome" page at the top: replace it with our home page.
            Page.objects.filter(depth=2, content_type__model="page").delete()
            self.home = self._publish(root, HomePage(**self._texts(self.site["home"], slug="home")))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"root_page": self.home, "hostname": "localhost", "port": 80, "site_name": "VisitAizu"},
        )
        self.route_index = self._index(RouteIndexPage, self.site["routes"])
        self.spot_index = self._index(SpotIndexPage, self.site["spots"])
        self.event_index = self._index(EventIndexPage, self.site["events"])

    def _index(self, model, data):
        page = model.objects.child_of(self.home).first()
        return page or self._publish(self.home, model(show_in_menus=True, **self._texts(data, slug=data["key"])))

    def load_spot(self, item: dict) -> None:
        if self._exists(SpotPage, self.spot_index, item, "spots"):
            return
        page = SpotPage(
            **self._texts(item, slug=item["key"]),
            **self._place(item),
            **localized("summary", item["summary"]),
            **localized("description", item["description"], paragraphs),
            **self._optional_texts(
                item, "opening_hours", "closed_days", "fees", "access_train", "access_bus", "access_car"
            ),
            official_website=item.get("official_website") or "",
        )
        self._publish(self.spot_index, page, item["themes"], label="spots")

    def load_route(self, item: dict) -> None:
        if self._exists(RoutePage, self.route_index, item, "routes"):
            return
        page = RoutePage(
            **self._texts(item, slug=item["key"]),
            **self._place(item),
            **localized("summary", item["summary"]),
            **localized("description", item["description"], paragraphs),
            **localized("start_place", item.get("start_place")),
            **localized("end_place", item.get("end_place")),
            duration_amount=decimal(item["duration_amount"]),
            duration_unit=item["duration_unit"],
            price_level=item.get("price_level"),
            party_fit=item.get("party_fit", []),
            walking_km=decimal(item.get("walking_km")),
        )
        page.stops = [self._stop(stop, position) for position, stop in enumerate(item["stops"])]
        self._publish(self.route_index, page, item["themes"], label="routes")

    def _stop(self, stop: dict, position: int) -> RouteStop:
        spot = SpotPage.objects.get(slug_ja=stop["spot"]) if stop.get("spot") else None
        return RouteStop(
            spot=spot,
            **localized("place_name", stop.get("place_name")),
            **localized("note", stop.get("note")),
            **localized("transfer_note", stop.get("transfer_note")),
            latitude=decimal(stop.get("latitude")),
            longitude=decimal(stop.get("longitude")),
            stay_minutes=stop["stay_minutes"],
            day=stop.get("day", 1),
            transfer_mode=stop.get("transfer_mode") or "",
            transfer_minutes=stop.get("transfer_minutes"),
            sort_order=position,
        )

    def load_event(self, item: dict) -> None:
        if self._exists(EventPage, self.event_index, item, "festivals"):
            return
        page = EventPage(
            **self._texts(item, slug=item["key"]),
            **self._place(item),
            **localized("summary", item["summary"]),
            **localized("description", item["description"], paragraphs),
            **localized("usual_timing", item.get("usual_timing")),
            **localized("place_name", item.get("place_name")),
            start_date=item.get("start_date"),
            end_date=item.get("end_date"),
            spot=SpotPage.objects.get(slug_ja=item["spot"]) if item.get("spot") else None,
        )
        self._publish(self.event_index, page, item["themes"], label="festivals")

    def load_standard_page(self, item: dict) -> None:
        if self._exists(StandardPage, self.home, item, "pages"):
            return
        body = {
            code: "".join(
                f"<h2>{html.escape(section['heading'][code])}</h2>{paragraphs(section['text'][code])}"
                for section in item["sections"]
            )
            for code, _n in settings.LANGUAGES
        }
        page = StandardPage(
            **self._texts(item, slug=item["key"]),
            **localized("body", body),
        )
        self._publish(self.home, page, label="pages")

    # --- helpers

    def _texts(self, item: dict, slug: str) -> dict:
        texts = localized("title", item["title"])
        if "intro" in item and not isinstance(item["intro"], str):
            texts |= localized("intro", item["intro"])
        texts[build_localized_fieldname("slug", SOURCE)] = slug
        return texts

    def _optional_texts(self, item: dict, *names: str) -> dict:
        fields: dict = {}
        for name in names:
            fields |= localized(name, item.get(name))
        return fields

    def _place(self, item: dict) -> dict:
        return {
            "latitude": decimal(item.get("latitude")),
            "longitude": decimal(item.get("longitude")),
            "area": self.areas.get(item.get("area")) or Area.objects.filter(key=item.get("area")).first(),
            "best_months": item.get("best_months") or item.get("months") or [],
            "step_free": item.get("step_free"),
            "stroller_friendly": item.get("stroller"),
            "staff_check": item.get("staff_check", ""),
            "hero_image": self._image(item) if item.get("motif") else None,
        }

    def _image(self, item: dict) -> AizuImage:
        title = f"Illustration: {item['key']}"
        image = AizuImage.objects.filter(title=title).first()
        if image is None:
            path = IMAGE_DIR / f"{item['motif']}.png"
            with path.open("rb") as handle:
                image = AizuImage(
                    title=title,
                    file=ImageFile(handle, name=f"{item['key']}.png"),
                    is_illustration=True,
                    credit="VisitAizu (drawn illustration)",
                    **{
                        build_localized_fieldname("alt_text", code): template.format(title=item["title"][code])
                        for code, template in self.site["image_alt"].items()
                    },
                )
                image.save()
        return image

    def _exists(self, model, parent: Page, item: dict, label: str) -> bool:
        exists = model.objects.child_of(parent).filter(slug_ja=item["key"]).exists()
        if exists:
            self.counts[f"{label} kept"] += 1
        return exists

    @transaction.atomic
    def _publish(self, parent: Page, page: Page, theme_keys: list[str] | None = None, label: str = "") -> Page:
        page.live = True
        parent.add_child(instance=page)
        if theme_keys:
            page.themes.set([self.themes.get(key) or Theme.objects.get(key=key) for key in theme_keys])
        page.save_revision().publish()
        mark_machine_made(page, [code for code, _n in settings.LANGUAGES if code != SOURCE])
        if label:
            self.counts[f"{label} created"] += 1
        return page
