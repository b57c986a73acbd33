"""Every template named in a template or in Python code exists.

A partial that was referenced but never committed passed a local run (the file sat untracked in the
working tree) and failed CI on 75 tests; this finds such a name without rendering the page.
"""

import re
from pathlib import Path

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_TAG = re.compile(r"""{%\s*(?:include|extends)\s+["']([^"']+)["']""")
# Python: a literal ending in .html/.txt/.ics passed where a template name goes.
PY_NAME = re.compile(r"""["']([a-z0-9_/]+\.(?:html|txt|ics))["']""")
APP_DIRS = ("ppda", "cases", "oversight", "panels")


def _template_files():
    yield from (ROOT / "templates").rglob("*.html")
    for app in APP_DIRS:
        yield from (ROOT / app).rglob("templates/**/*.html")


def _references():
    found = set()
    for path in _template_files():
        for name in TEMPLATE_TAG.findall(path.read_text(encoding="utf-8")):
            found.add((name, str(path.relative_to(ROOT))))
    for app in APP_DIRS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for name in PY_NAME.findall(path.read_text(encoding="utf-8")):
                if "/" in name:  # our templates live in folders; bare names are file names, not templates
                    found.add((name, str(path.relative_to(ROOT))))
    return sorted(found)


def test_the_scan_finds_references():
    names = {name for name, _ in _references()}
    assert "base.html" in names
    assert "contacts/_contact_fields.html" in names


@pytest.mark.parametrize(("name", "where"), _references())
def test_referenced_template_exists(name, where):
    try:
        get_template(name)
    except TemplateDoesNotExist:
        pytest.fail(f"{where} names {name}, which does not exist")
