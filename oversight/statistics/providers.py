"""Figures other apps provide: investigations (cases/, being built) and panels (panels/, a higher layer).

Statistics reads cases and oversight itself. Figures whose data lives elsewhere come through a provider the
owning app registers at start-up (its AppConfig.ready), so this module never imports a layer above it:

    from oversight.statistics.providers import register, INVESTIGATIONS
    register(INVESTIGATIONS, investigation_tables)   # (StatisticsFilter) -> list[Table]

A provider takes the filter (its `cases()` queryset is the cohort every figure counts) and returns tables
built from oversight.statistics.figures cells, in a constant number of queries (the page's count is pinned).
Until a provider is registered, its figures show as "not available yet".

- INVESTIGATIONS: misconduct-investigation, IOPC-referral and charge rates; victims supporting the
  investigation; investigation outcomes and median days from report to outcome.
- PANELS: panel items, bring-backs and learning themes.
"""

from __future__ import annotations

from collections.abc import Callable

from .figures import Table, not_available

INVESTIGATIONS = "investigations"
PANELS = "panels"

_PLACEHOLDERS = {
    INVESTIGATIONS: [
        ("investigation_rates", "Misconduct investigations, IOPC referrals and charges"),
        ("supporting_investigation", "Victims supporting the investigation"),
        ("investigation_outcomes", "Investigation outcomes and days from report to outcome"),
    ],
    PANELS: [
        ("panel_items", "Panel items and bring-backs"),
        ("learning_themes", "Panel learning themes"),
    ],
}
SECTIONS = {INVESTIGATIONS: "Investigations", PANELS: "Scrutiny panels"}

_providers: dict[str, Callable] = {}


def register(name: str, provider: Callable) -> None:
    if name not in _PLACEHOLDERS:
        raise ValueError(f"Unknown statistics provider {name!r}; known: {sorted(_PLACEHOLDERS)}")
    _providers[name] = provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


def tables(name: str, stats_filter) -> list[Table]:
    provider = _providers.get(name)
    if provider is None:
        return [
            not_available(
                slug,
                caption,
                section=SECTIONS[name],
                note="Not available yet: these figures join when the "
                f"{SECTIONS[name].lower()} part of the service is in use.",
            )
            for slug, caption in _PLACEHOLDERS[name]
        ]
    out = provider(stats_filter)
    for table in out:
        table.section = table.section or SECTIONS[name]
    return out
