"""Hooks for apps that come later: panels (a pending bring-back) and investigations (recorded outcomes).

Neither app exists yet, and closure must not import them (layers point one way, CONVENTIONS.md 13): they
register with this module instead, in their AppConfig.ready():

    from oversight.closure import hooks

    class PanelsConfig(AppConfig):
        def ready(self):
            hooks.register_bring_back_check(panels.selectors.bring_back_pending_for_closure)
            hooks.register_investigation_outcomes(cases.investigations.selectors.outcomes_for_closure)

**Bring-back check** — `check(case) -> str | None`: a message naming why the case cannot close yet (for
example "The panel of 12 May 2026 asked for this case to be brought back; it has not been heard yet."),
or None. case_close refuses while any registered check returns a message. The message is shown to the
SOO: it must name no one and carry nothing from a panel the SOO may not see.

**Investigation outcomes** — `provider(case) -> InvestigationOutcomes | None`: what the investigation
record says. When a provider answers, the closure page shows it and it satisfies the outcome items of
the checklist; the SOO's own entries are then only a note.

Tests register fakes with `registered(...)`, which removes them again on exit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

BringBackCheck = Callable[[object], "str | None"]


@dataclass(frozen=True)
class InvestigationOutcomes:
    criminal: str = ""  # in words, e.g. "No further action"
    misconduct: str = ""


InvestigationOutcomesProvider = Callable[[object], "InvestigationOutcomes | None"]

_bring_back_checks: list[BringBackCheck] = []
_outcome_providers: list[InvestigationOutcomesProvider] = []


def register_bring_back_check(check: BringBackCheck) -> None:
    if check not in _bring_back_checks:
        _bring_back_checks.append(check)


def unregister_bring_back_check(check: BringBackCheck) -> None:
    if check in _bring_back_checks:
        _bring_back_checks.remove(check)


def register_investigation_outcomes(provider: InvestigationOutcomesProvider) -> None:
    if provider not in _outcome_providers:
        _outcome_providers.append(provider)


def unregister_investigation_outcomes(provider: InvestigationOutcomesProvider) -> None:
    if provider in _outcome_providers:
        _outcome_providers.remove(provider)


def pending_bring_back(case) -> list[str]:
    """Every registered check's message for this case (empty: no panel is waiting to hear it again)."""
    return [message for check in list(_bring_back_checks) if (message := check(case))]


def investigation_outcomes(case) -> InvestigationOutcomes | None:
    """The first registered provider's answer, or None (no investigation record yet: the SOO records them)."""
    for provider in list(_outcome_providers):
        outcomes = provider(case)
        if outcomes is not None:
            return outcomes
    return None


def outcomes_from_investigation_record(case) -> InvestigationOutcomes | None:
    """The provider for cases/investigations (registered in ClosureConfig.ready): each strand's outcome in
    words once concluded ("" while open, so the SOO records it), None when PSD has opened no record."""
    from cases.investigations.selectors import outcomes_for_case

    found = outcomes_for_case(case)
    if found is None:
        return None
    criminal, misconduct = found
    return InvestigationOutcomes(criminal=criminal, misconduct=misconduct)


@contextlib.contextmanager
def registered(*, bring_back: BringBackCheck | None = None, outcomes: InvestigationOutcomesProvider | None = None):
    """Register a check and/or provider for the duration of a block (tests)."""
    if bring_back is not None:
        register_bring_back_check(bring_back)
    if outcomes is not None:
        register_investigation_outcomes(outcomes)
    try:
        yield
    finally:
        if bring_back is not None:
            unregister_bring_back_check(bring_back)
        if outcomes is not None:
            unregister_investigation_outcomes(outcomes)
