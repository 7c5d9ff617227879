"""Queries compiled once and run again with other values give what Django's own queryset gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Page

from content.models import Area
from routes.models import RoutePage, RouteStop
from translations.languages import shown_columns
from visitaizu.compiled_queries import CompiledQuery

pytestmark = pytest.mark.django_db


def fields(instance) -> dict:
    """What a row loaded into an instance: its loaded columns and the rows joined to it."""
    loaded = {name: value for name, value in vars(instance).items() if not name.startswith("_")}
    joined = {name: fields(value) for name, value in instance._state.fields_cache.items() if value is not None}
    return {**loaded, "joined": joined}


def test_pages_with_their_picture_and_area_equal_the_querysets_in_every_language():
    def build(pk):
        return RoutePage.objects.select_related("hero_image", "area").filter(pk=pk)

    query = CompiledQuery(RoutePage, build)
    for language in ("en", "th", "ja"):
        with translation.override(language):
            for route in RoutePage.objects.all():
                with CaptureQueriesContext(connection) as queries:
                    (compiled,) = query(route.pk)
                assert len(queries) == 1  # through Django's cursor: logged and counted like any query
                (expected,) = build(route.pk)
                assert fields(compiled) == fields(expected)
                assert compiled.title == expected.title and compiled.hero_image == expected.hero_image
    assert query(10**6) == []


def test_the_active_language_picks_its_own_columns_and_lookups():
    def build(slug):
        return Page.objects.filter(**{f"slug_{translation.get_language()}": slug}).only("id", *shown_columns("title"))

    query = CompiledQuery(Page, build)
    route = RoutePage.objects.live().first()
    for language in ("en", "ko"):
        with translation.override(language):
            slug = getattr(route, f"slug_{language}")
            (found,) = query(slug)
            assert found.pk == route.pk and found.title == build(slug).get().title
    assert len(query.shapes) == 2


def test_stops_in_order_with_their_spots():
    def build(route_id):
        return RouteStop.objects.filter(route_id=route_id).select_related("spot")

    query = CompiledQuery(RouteStop, build)
    route = max(RoutePage.objects.all(), key=lambda page: page.stops.count())
    compiled = query(route.pk)
    expected = list(build(route.pk))
    assert [stop.pk for stop in compiled] == [stop.pk for stop in expected] and len(compiled) > 2
    assert [fields(stop) for stop in compiled] == [fields(stop) for stop in expected]


def test_a_pattern_argument_is_escaped_as_django_escapes_it():
    """`%` and `_` in a startswith value match themselves, not any text."""
    Area.objects.create(key="percent", name_en="50% off area", name_ja="五割")
    Area.objects.create(key="other", name_en="50 and more", name_ja="五十")

    def build(prefix):
        return Area.objects.filter(name_en__startswith=prefix).order_by("key")

    query = CompiledQuery(Area, build)
    for prefix in ("50%", "50_", "50", "5", "zzz"):
        assert [area.key for area in query(prefix)] == [area.key for area in build(prefix)], prefix


def test_several_arguments_and_shapes_by_their_number():
    def build(path, *depths_and_slugs):
        match = Page.objects.none()
        for depth, slug in zip(depths_and_slugs[::2], depths_and_slugs[1::2], strict=True):
            match |= Page.objects.filter(depth=depth, slug_en=slug)
        return Page.objects.filter(path__startswith=path) & match

    query = CompiledQuery(Page, build)
    route = RoutePage.objects.live().first()
    parent = route.get_parent()
    root = parent.get_parent()
    with translation.override("en"):
        one = query(root.path, parent.depth, parent.slug_en)
        two = query(root.path, parent.depth, parent.slug_en, route.depth, route.slug_en)
    assert [page.pk for page in one] == [parent.pk]
    assert sorted(page.pk for page in two) == sorted([parent.pk, route.pk])
    assert len(query.shapes) == 2


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: RoutePage.objects.filter(pk=pk + 1),  # the argument is changed before it reaches the SQL
        lambda pk: RoutePage.objects.filter(pk=7),  # the argument is not used
        lambda pk: RoutePage.objects.filter(pk=pk).prefetch_related("themes"),
    ],
)
def test_a_queryset_that_does_not_take_its_arguments_as_parameters_is_refused(build):
    route = RoutePage.objects.first()
    with pytest.raises(ValueError):
        CompiledQuery(RoutePage, build)(route.pk)
