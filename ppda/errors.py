"""The one error type a service raises for the person who asked (Django-Styleguide's ApplicationError).

A service refuses with `ApplicationError(message)`: the message is safe to show to the user who made the
request (it names no one they may not know about). `field` ties it to one form field; `errors` carries
several field messages at once (intake reports every broken rule together, keyed by field path such as
"parties.0.employee_number"); `extra` carries structured details a view may use (for example the
exclusion reasons that still need an override).

Views never catch it themselves: `apply_to_form` (a form error) and `apply_to_messages` (a flash message)
are the one place it becomes something on a page, and an invalid form answers 200 in every app.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    def __init__(
        self,
        message: str = "",
        *,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
        **extra: Any,
    ):
        if not message and errors:
            message = next((m for msgs in errors.values() for m in msgs), "")
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or ({field: [message]} if field else {"": [message]})
        self.extra = extra

    def __getattr__(self, name: str) -> Any:
        # Structured details passed as keyword arguments read as attributes (exc.missing_reasons).
        extra = self.__dict__.get("extra", {})
        if name in extra:
            return extra[name]
        raise AttributeError(name)


def apply_to_form(form, exc: ApplicationError, *, fields: dict[str, str] | None = None) -> None:
    """Attach the error to `form`: each message on its field when the form has it, otherwise to the form.
    `fields` maps a service's argument name to the form field the user typed it in (e.g. starts_at -> time)."""
    for name, messages in exc.errors.items():
        name = (fields or {}).get(name, name)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


def apply_to_messages(request, exc: ApplicationError) -> None:
    """Show the error as one flash message on the next page."""
    from django.contrib import messages

    messages.error(request, exc.message)
