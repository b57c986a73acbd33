"""Slots other apps fill: the form shows what they provide without importing them (CONVENTIONS 13).

- "closure": the closure section (oversight/closure, built separately). Its AppConfig.ready() calls
  register("closure", provider); provider(case) returns a list of SummaryRow, or None before closure
  work starts. Until something registers, the form shows "Not started".
- "panel_decisions": decisions and actions recorded by scrutiny panels (panels/, a later issue), the
  same shape. Until then the form shows that no panel has discussed the case.

Rows marked free_text are redacted (and fail closed) in the anonymised rendering like the form's own text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str
    free_text: bool = False


SLOTS = ("closure", "panel_decisions")
_providers: dict[str, Callable] = {}


def register(slot: str, provider: Callable) -> None:
    if slot not in SLOTS:
        raise ValueError(f"No such slot on the update form: {slot}")
    _providers[slot] = provider


def rows_for(slot: str, case) -> list[SummaryRow] | None:
    """What the app filling `slot` says about the case, or None when no app fills it (or it has nothing)."""
    provider = _providers.get(slot)
    return provider(case) if provider is not None else None
