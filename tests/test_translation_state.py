import pytest
from django.utils import translation

from routes.models import RouteStop, SpotIndexPage, SpotPage
from tests.factories import per_language, publish
from translations.state import State, mark_machine_made, mark_reviewed, translation_status, translation_statuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def spot_index():
    return SpotIndexPage.objects.get()


def make_spot(parent, **extra):
    return publish(
        parent,
        SpotPage(
            **per_language("title", ja="テスト温泉", en="Test Onsen"),
            **per_language("summary", ja="静かな温泉。", en="A quiet hot spring."),
            slug_ja="test-onsen",
            **extra,
        ),
    )


def test_source_language_is_always_complete(spot_index):
    spot = make_spot(spot_index)
    assert translation_status(spot, "ja").state == State.COMPLETE


def test_language_with_no_text_is_missing(spot_index):
    spot = make_spot(spot_index)
    status = translation_status(spot, "th")
    assert status.state == State.MISSING
    assert status.translated == 0 and status.total == 2
    assert not status.has_language


def test_language_with_some_texts_is_partial(spot_index):
    spot = make_spot(spot_index, **per_language("title", ko="테스트 온천"))
    status = translation_status(spot, "ko")
    assert status.state == State.PARTIAL
    assert status.missing_fields == ["summary"]
    assert not status.has_language


def test_human_translation_of_every_text_is_complete(spot_index):
    spot = make_spot(spot_index)
    status = translation_status(spot, "en")
    assert status.state == State.COMPLETE and status.has_language


def test_machine_made_translation_needs_review_until_staff_confirm(spot_index, admin_user):
    spot = make_spot(spot_index)
    mark_machine_made(spot, ["en"])
    status = translation_status(spot, "en")
    assert status.state == State.NEEDS_REVIEW and status.machine_made and status.has_language
    mark_reviewed(spot, "en", admin_user)
    assert translation_status(spot, "en").state == State.COMPLETE


def test_japanese_change_after_translation_makes_it_stale(spot_index):
    spot = make_spot(spot_index)
    spot.summary_ja = "静かな温泉。冬は雪見風呂。"
    spot.save_revision().publish()
    status = translation_status(SpotPage.objects.get(pk=spot.pk), "en")
    assert status.state == State.NEEDS_REVIEW and status.stale and not status.machine_made


def test_retranslating_after_a_japanese_change_clears_stale(spot_index):
    spot = make_spot(spot_index)
    spot.summary_ja = "静かな温泉。冬は雪見風呂。"
    spot.save_revision().publish()
    spot = SpotPage.objects.get(pk=spot.pk)
    spot.summary_en = "A quiet hot spring with snow-view baths in winter."
    spot.save_revision().publish()
    assert translation_status(SpotPage.objects.get(pk=spot.pk), "en").state == State.COMPLETE


def test_route_stop_texts_count_towards_the_state(route_index):
    from routes.models import RoutePage

    route = RoutePage(
        **per_language("title", ja="テストルート", en="Test route"),
        slug_ja="test-route",
    )
    route.stops = [RouteStop(**per_language("place_name", ja="会津若松駅"), stay_minutes=10)]
    route = publish(route_index, route)
    status = translation_status(route, "en")
    assert status.state == State.PARTIAL
    assert status.missing_fields == ["stops.0.place_name"]


def test_statuses_cover_every_language_and_editing_in_english_ui_keeps_japanese_base_columns(spot_index):
    spot = make_spot(spot_index)
    with translation.override("en"):
        spot.title_en = "Test Onsen (renamed)"
        spot.save_revision().publish()
    spot.refresh_from_db()
    assert set(translation_statuses(spot)) == {"ja", "en", "zh-hant", "zh-hans", "ko", "th"}
    from wagtail.models import Page

    raw = Page.objects.rewrite(False).filter(pk=spot.pk).values("title", "slug", "url_path").get()
    assert raw["title"] == "テスト温泉"
    assert raw["slug"] == "test-onsen"
    assert raw["url_path"].endswith("/test-onsen/")
