import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

pytest_plugins = ["tests.rollup_fixtures", "tests.report_fixtures"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the demo content, loaded once per run; each test's changes are rolled back."""
    with django_db_blocker.unblock():
        call_command("load_demo_content", "--no-admin", verbosity=0)


@pytest.fixture(autouse=True)
def _isolate():
    """Each test starts with English active and an empty cache (cached pages would outlive rolled-back data)."""
    cache.clear()
    yield
    translation.activate("en")


@pytest.fixture
def home(db):
    from content.models import HomePage

    return HomePage.objects.get()


@pytest.fixture
def route_index(db):
    from routes.models import RouteIndexPage

    return RouteIndexPage.objects.get()
