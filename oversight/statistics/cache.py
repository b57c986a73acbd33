"""The statistics page's figures block, kept for a short time (issue 18).

The figures are aggregates over every case in the period (~0.3 s of database time at 20,000 cases), the same for
every coordinator who asks for the same period, and hold no identifier: so the rendered block of tables and charts
is kept in the cache for STATISTICS_CACHE_SECONDS under the filter, the view (full or the panel's suppressed one)
and a generation that an import of the old spreadsheet bumps (a bulk change a coordinator looks for at once).
Other changes show within that time; the page says when its figures were worked out. Without Redis the figures
are worked out on each request, as before: never stale, only slower.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)

# Bump when the block's template or the tables' meaning changes, so no process serves the old block.
FIGURES_VERSION = 1
GENERATION_KEY = "stats-figures:generation"


def _generation() -> int:
    return cache.get(GENERATION_KEY) or 0


def statistics_invalidate() -> None:
    """Start a new generation: every kept figures block is stale (called when an import commits)."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet
            cache.set(GENERATION_KEY, 1, None)
    except Exception:  # noqa: BLE001 - without Redis nothing is kept, so nothing is stale
        logger.warning("statistics cache unavailable")


def figures_block(*, view: str, filter_key: str, build: Callable[[], dict]) -> tuple[str, dt.datetime]:
    """(the rendered figures block, when its figures were worked out). `build` returns the block's context."""
    seconds = getattr(settings, "STATISTICS_CACHE_SECONDS", 0)
    key = None
    if seconds > 0:
        try:
            digest = hashlib.sha256(filter_key.encode()).hexdigest()
            key = f"stats-figures:{FIGURES_VERSION}:{view}:{_generation()}:{digest}"
            kept = cache.get(key)
        except Exception:  # noqa: BLE001 - the cache is an optimisation
            logger.warning("statistics cache unavailable")
            key = kept = None
        if kept is not None:
            return kept
    at = timezone.now()
    block = (render_to_string("statistics/_figures.html", build()), at)
    if key is not None:
        try:
            cache.set(key, block, seconds)
        except Exception:  # noqa: BLE001
            logger.warning("statistics cache unavailable")
    return block
