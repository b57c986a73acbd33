"""Every GOV.UK Frontend and MOJ Frontend class the templates use is one the built stylesheet defines.

A misspelt class fails silently: the breadcrumbs were `govuk-breadcrumbs__item` (the class is `__list-item`), so
every trail rendered as a stacked list of links with no separators, and the pagination's ellipsis, a table
caption size and two colour modifiers named classes that do not exist. The few used only as hooks or as
containers with no style of their own are listed, each with why."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CSS = ROOT / "static" / "vendor" / "app.css"
SOURCES = [*sorted((ROOT / "templates").rglob("*.html")), *sorted(ROOT.glob("*/templatetags/*.py"))]
TEMPLATE_TAGS = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
CLASS = re.compile(r"(?<![\w-])((?:govuk|moj)-[A-Za-z0-9_!-]*[A-Za-z0-9_])")

# Real classes of GOV.UK / MOJ Frontend markup that carry no style of their own in the built CSS.
UNSTYLED = {
    "govuk-checkboxes": "the data-module host; its items carry the style",
    "govuk-radios": "the data-module host; its items carry the style",
    "govuk-table__head": "semantic hook in GOV.UK's table markup",
    "govuk-table__body": "semantic hook in GOV.UK's table markup",
    "govuk-table__row": "semantic hook in GOV.UK's table markup",
    "govuk-service-navigation__text": "GOV.UK's service-name markup (the span inside __service-name)",
    "govuk-generic-header__container": "styled as govuk-width-container beside it",
    "govuk-template--rebranded": "GOV.UK's 2025 brand switch on <html>, read by the stylesheet's :root rules",
    "moj-filter__content": "MOJ filter markup: the JavaScript toggles it",
    "moj-timeline__header": "MOJ timeline markup around the title and byline",
}


def _defined() -> set[str]:
    if not CSS.exists():
        pytest.fail(f"{CSS} is missing: run 'make assets'.")
    return {name.replace("\\", "") for name in re.findall(r"\.((?:govuk|moj)-(?:\\.|[A-Za-z0-9_-])+)", CSS.read_text())}


def _used() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in SOURCES:
        text = path.read_text()
        if path.suffix == ".py":
            values = re.findall(r"\"([^\"]*)\"", text)
        else:
            values = [TEMPLATE_TAGS.sub(" ", v) for v in re.findall(r'class="((?:[^"{]|{[^}]*})*)"', text)]
        for value in values:
            for name in CLASS.findall(value):
                if not name.startswith(("govuk-js-", "govuk-frontend-")):  # JavaScript hooks
                    used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return used


def test_the_scan_sees_the_classes_in_the_templates():
    used = _used()
    assert {"govuk-breadcrumbs__list-item", "govuk-tag--green", "govuk-pagination__item--ellipsis"} <= set(used)


def test_every_frontend_class_used_is_defined():
    defined = _defined()
    unknown = {name: sorted(paths)[:3] for name, paths in _used().items() if name not in defined | set(UNSTYLED)}
    assert unknown == {}


def test_the_unstyled_list_holds_only_classes_still_used():
    assert set(UNSTYLED) <= set(_used())


def test_no_modifier_is_built_from_a_template_expression():
    """`govuk-tag--{% if … %}blue{% endif %}` hid a class that does not exist from the scan above: write each
    class whole (`{% if … %} govuk-tag--grey{% endif %}`) so the scan sees it."""
    built = [
        f"{path.relative_to(ROOT)}: {m.group(0)}"
        for path in SOURCES
        if path.suffix == ".html"
        for m in re.finditer(r"(?:govuk|moj)-[\w-]*--[{]", path.read_text())
    ]
    assert built == []
