"""An editor writes a route in Japanese, then its English translation, through the real Wagtail admin forms."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page
from wagtail.test.utils.form_data import querydict_from_html
from wagtail.users.models import UserProfile

from routes.models import RoutePage, SpotPage
from translations.state import State, translation_status

pytestmark = pytest.mark.django_db


def set_admin_language(user, code):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = code
    profile.save()


@pytest.fixture
def editor(client, admin_user):
    set_admin_language(admin_user, "ja")
    client.force_login(admin_user)
    return client


def admin_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    # The test client posts one value per key from a QueryDict: keep every value of multi-valued fields.
    return dict(querydict_from_html(response.content.decode(), form_id="page-edit-form").lists())


def test_editor_creates_and_publishes_a_route_in_japanese_then_english(editor, route_index, admin_user):
    spot = SpotPage.objects.get(slug_ja="tsuruga-castle")
    add_url = reverse("wagtailadmin_pages:add", args=["routes", "routepage", route_index.pk])
    form = admin_form(editor, add_url)
    assert "title_th" in form and "stops-TOTAL_FORMS" in form
    form.update(
        {
            "title_ja": "鶴ヶ城と御薬園の朝",
            "slug_ja": "castle-and-oyakuen-morning",
            "summary_ja": "城と庭園をめぐる朝の散歩。",
            "duration_amount": "3",
            "duration_unit": "hours",
            "stops-TOTAL_FORMS": "2",
            "stops-0-spot": str(spot.pk),
            "stops-0-stay_minutes": "60",
            "stops-0-day": "1",
            "stops-0-transfer_mode": "walk",
            "stops-0-transfer_minutes": "20",
            "stops-0-transfer_note_ja": "北出丸から東へ",
            "stops-0-ORDER": "0",
            "stops-1-place_name_ja": "御薬園",
            "stops-1-latitude": "37.4887",
            "stops-1-longitude": "139.9450",
            "stops-1-stay_minutes": "45",
            "stops-1-day": "1",
            "stops-1-ORDER": "1",
            "action-publish": "action-publish",
        }
    )
    form["best_months"] = ["4", "10"]
    form["party_fit"] = ["couple", "family"]
    response = editor.post(add_url, form)
    assert response.status_code == 302, response.content.decode()[:3000]

    route = RoutePage.objects.get(slug_ja="castle-and-oyakuen-morning")
    assert route.live and route.best_months == [4, 10] and route.party_fit == ["couple", "family"]
    stops = list(route.stops.all())
    assert [stop.spot_id for stop in stops] == [spot.pk, None]
    assert stops[1].place_name_ja == "御薬園" and stops[0].transfer_mode == "walk"
    assert translation_status(route, "en").state == State.MISSING

    # The English translation, written with the admin in English.
    set_admin_language(admin_user, "en")
    edit_url = reverse("wagtailadmin_pages:edit", args=[route.pk])
    form = admin_form(editor, edit_url)
    assert form["title_ja"] == ["鶴ヶ城と御薬園の朝"]
    form.update(
        {
            "title_en": "Tsuruga Castle and Oyakuen in the Morning",
            "slug_en": "castle-and-oyakuen-morning-en",
            "summary_en": "A morning walk through the castle and the garden.",
            "stops-0-transfer_note_en": "East from the Kitademaru gate",
            "stops-1-place_name_en": "Oyakuen Garden",
            "action-publish": "action-publish",
        }
    )
    response = editor.post(edit_url, form)
    assert response.status_code == 302, response.content.decode()[:3000]

    route = RoutePage.objects.get(pk=route.pk)
    assert translation_status(route, "en").state == State.COMPLETE
    raw = Page.objects.rewrite(False).filter(pk=route.pk).values("title", "slug").get()
    assert raw == {"title": "鶴ヶ城と御薬園の朝", "slug": "castle-and-oyakuen-morning"}

    with translation.override("en"):
        en_url = route.get_url()
    with translation.override("ja"):
        ja_url = route.get_url()
    with translation.override("th"):
        th_url = route.get_url()
    assert en_url.endswith("/castle-and-oyakuen-morning-en/")
    en_page = editor.get(en_url).content.decode()
    assert "Tsuruga Castle and Oyakuen in the Morning" in en_page and "Oyakuen Garden" in en_page
    assert "鶴ヶ城と御薬園の朝" in editor.get(ja_url).content.decode()
    assert editor.get(th_url).status_code == 200


def test_admin_rejects_a_route_without_stops_and_keeps_what_was_typed(editor, route_index):
    add_url = reverse("wagtailadmin_pages:add", args=["routes", "routepage", route_index.pk])
    form = admin_form(editor, add_url)
    form.update(
        {
            "title_ja": "停留所のないルート",
            "slug_ja": "no-stops",
            "duration_amount": "2",
            "duration_unit": "hours",
            "action-publish": "action-publish",
        }
    )
    response = editor.post(add_url, form)
    assert response.status_code == 200
    assert "停留所のないルート" in response.content.decode()
    assert not RoutePage.objects.filter(slug_ja="no-stops").exists()


def test_translation_report_lists_pages_by_language(editor):
    response = editor.get(reverse("translations:report"), {"language": "th", "state": "needs_review"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "鶴ヶ城" in body or "Tsuruga" in body
    spot = SpotPage.objects.get(slug_ja="tsuruga-castle")
    review = editor.post(reverse("translations:review", args=[spot.pk, "th"]))
    assert review.status_code == 302
    assert translation_status(spot, "th").state == State.COMPLETE
