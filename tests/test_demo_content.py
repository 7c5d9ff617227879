import pytest
from django.core.management import call_command
from modeltranslation.utils import build_localized_fieldname
from wagtail.models import Page

from events.models import EventPage
from images.models import AizuImage
from routes.models import RoutePage, SpotPage
from tests.factories import all_languages
from translations.state import State, translation_status

pytestmark = pytest.mark.django_db


def test_demo_content_has_enough_routes_spots_and_festivals():
    assert RoutePage.objects.live().count() >= 8
    assert SpotPage.objects.live().count() >= 25
    assert EventPage.objects.live().count() >= 4
    assert RoutePage.objects.filter(stops__day=2).exists(), "at least one multi-day route"


def test_every_demo_page_has_a_title_in_every_language():
    for page in Page.objects.live().exclude(depth=1):
        for code in all_languages():
            assert getattr(page, build_localized_fieldname("title", code)), (page.slug_ja, code)


def test_demo_translations_need_review_until_staff_confirm():
    for page in SpotPage.objects.live():
        assert translation_status(page, "ja").state == State.COMPLETE
        for code in all_languages()[1:]:
            assert translation_status(page, code).state == State.NEEDS_REVIEW, (page.slug_ja, code)


def test_every_route_stop_resolves_to_a_place_with_an_order():
    for route in RoutePage.objects.live():
        stops = list(route.stops.all())
        assert len(stops) >= 2, route.slug_ja
        assert all(stop.name for stop in stops)
        assert stops[-1].transfer_mode == ""
        days = [stop.day for stop in stops]
        assert days == sorted(days) and days[0] == 1


def test_demo_images_are_shipped_illustrations_with_alt_text_in_every_language():
    images = AizuImage.objects.all()
    assert images.count() >= 40
    for image in images:
        assert image.is_illustration
        for code in all_languages():
            assert getattr(image, build_localized_fieldname("alt_text", code))


def test_loading_twice_changes_nothing(capsys):
    before = {model: model.objects.count() for model in (Page, RoutePage, SpotPage, EventPage, AizuImage)}
    call_command("load_demo_content", "--no-admin")
    assert {model: model.objects.count() for model in before} == before
    assert "routes kept" in capsys.readouterr().out


def test_demo_never_states_unconfirmed_opening_hours_without_a_staff_note():
    for spot in SpotPage.objects.live():
        if not (spot.opening_hours_ja and spot.fees_ja):
            assert spot.staff_check, spot.slug_ja
