import shutil
import subprocess

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, to_locale

CATALOGUES = [
    settings.LOCALE_PATHS[0] / to_locale(code) / "LC_MESSAGES" / "django.po" for code, _n in settings.LANGUAGES
]


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parts[-3])
def test_catalogue_exists_and_passes_msgfmt_check(catalogue, tmp_path):
    assert catalogue.exists()
    assert shutil.which("msgfmt"), "gettext's msgfmt is needed to compile the catalogues"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "out.mo"), str(catalogue)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ja", "人気のルート"),
        ("zh-hant", "熱門路線"),
        ("zh-hans", "热门路线"),
        ("ko", "인기 코스"),
        ("th", "เส้นทางยอดนิยม"),
    ],
)
def test_visitor_interface_is_translated(code, expected):
    with translation.override(code):
        assert gettext("Popular routes") == expected


@pytest.mark.parametrize("catalogue", [c for c in CATALOGUES if c.parts[-3] != "en"], ids=lambda path: path.parts[-3])
def test_every_visitor_string_is_translated(catalogue):
    """Templates are what visitors read: no untranslated or fuzzy entry may come from a template."""
    result = subprocess.run(["msgattrib", "--untranslated", str(catalogue)], capture_output=True, text=True)
    fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", str(catalogue)], capture_output=True, text=True)
    assert result.returncode == 0 and fuzzy.returncode == 0
    untranslated_in_templates = [
        line for line in result.stdout.splitlines() if line.startswith("#:") and ".html" in line
    ]
    assert not untranslated_in_templates, untranslated_in_templates
    assert ".html" not in fuzzy.stdout
