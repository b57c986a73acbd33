"""Issue 16: no form asks for a date or a time with the browser's own picker (a headless en-GB browser showed
mm/dd/yyyy and a 12-hour clock). Dates are the GOV.UK day, month and year boxes (ppda.date_input.DateInputField)
and times a text box with a 24-hour hint (TimeInputField): this walks every form and every template."""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms

from ppda.date_input import DateInputField, TimeInputField

ROOT = Path(__file__).resolve().parents[2]
APPS = ("ppda", "cases", "oversight", "panels")
PICKERS = {"date", "time", "datetime-local", "month", "week"}
# Forms that validate the JSON intake API (cases/openapi.py: ISO 8601 strings) and are never rendered.
NOT_RENDERED = {"cases.forms.ApiCaseIntakeForm", "cases.forms.ApiPartyForm"}


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _project_forms():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            # Settings modules change os.environ on import (development sets EMAIL_BACKEND), which the
            # subprocesses of later tests inherit: forms never live there, nor in migrations.
            if any(part in ("migrations", "settings") for part in module.name.split(".")):
                continue
            importlib.import_module(module.name)
    return sorted(
        {f for f in _all_subclasses(forms.BaseForm) if f.__module__.split(".")[0] in APPS},
        key=lambda f: f"{f.__module__}.{f.__qualname__}",
    )


def test_the_walk_finds_the_forms_with_dates_and_times():
    """The walk below sees the forms it must: it would pass vacuously if it found none."""
    names = {f.__qualname__ for f in _project_forms()}
    assert {"ContactForm", "TriageForm", "RespondForm"} <= names, sorted(names)


@pytest.mark.parametrize("form_class", _project_forms(), ids=lambda f: f"{f.__module__}.{f.__qualname__}")
def test_no_form_field_uses_a_browser_picker(form_class):
    if f"{form_class.__module__}.{form_class.__qualname__}" in NOT_RENDERED:
        return
    for name, field in form_class.base_fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue  # carried, not typed (the review date a retention decision answers)
        widgets = getattr(field.widget, "widgets", [field.widget])
        for widget in widgets:
            assert getattr(widget, "input_type", None) not in PICKERS, f"{name}: {widget.__class__.__name__}"
        if isinstance(field, forms.DateField | forms.DateTimeField) and not isinstance(field, DateInputField):
            pytest.fail(f"{name} is a {field.__class__.__name__}: use ppda.date_input.DateInputField")
        if isinstance(field, forms.TimeField):
            assert isinstance(field, TimeInputField), f"{name}: use ppda.date_input.TimeInputField"
            assert "24-hour" in str(field.help_text), f"{name} has no 24-hour hint"


def test_no_template_uses_a_browser_picker():
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        for match in re.finditer(r'type\s*=\s*["\']?(date|time|datetime-local|month|week)\b', path.read_text()):
            found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert found == []
