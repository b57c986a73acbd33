"""Per-process caches: registered here, flushed together by one call (Zulip's per_request_cache).

A few things are worked out once per process because working them out on every request costs more
than the request itself: the compiled user lookup (ppda.accounts.backends), the permission ids and
grant SQL (ppda.permissions), the resolved menu and header links (ppda.navigation). Each is a function
decorated with `per_process`, which memoises it like functools.cache and registers it here.

`flush_all()` empties every one of them, and Django's content-type cache (which `_permission_id` reads
through), and is the only way they are cleared: after migrate (ppda.apps; a migration or a test
database flush may re-create permissions and content types with new ids) and before every test
(tests/conftest.py), so a test sees the same cold caches whether it runs alone or after others.
Nothing else may reach into a cache to clear it.
"""

import functools
from collections.abc import Callable

_REGISTERED: list[Callable] = []


def per_process(fn: Callable | None = None, *, maxsize: int | None = None):
    """Memoise `fn` for the life of the process (functools.lru_cache, unbounded unless `maxsize`: bound it
    when the arguments come from user input) and register it for flush_all(). Use as @per_process or
    @per_process(maxsize=N).

    An exception is not memoised: raise one for a result that must be looked up again next time.
    """

    def decorate(f: Callable) -> Callable:
        cached = functools.lru_cache(maxsize=maxsize)(f)
        _REGISTERED.append(cached)
        return cached

    return decorate(fn) if fn is not None else decorate


def flush_all(**kwargs) -> None:
    """Empty every per-process cache. Takes signal arguments, so it can receive post_migrate directly."""
    from django.contrib.contenttypes.models import ContentType

    for cached in _REGISTERED:
        cached.cache_clear()
    ContentType.objects.clear_cache()


def registered() -> tuple[Callable, ...]:
    """The registered cached functions (for tests and debugging)."""
    return tuple(_REGISTERED)
