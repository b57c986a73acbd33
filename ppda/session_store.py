"""Sessions read from Redis, kept in the database, and ended after SESSION_COOKIE_AGE without activity.

Django's cached_db engine: every save writes the database row and then the cache; every delete removes
both, so ending a session elsewhere (sign out everywhere, deactivation, a two-factor reset) also ends it
in Redis. A request reads the session from Redis alone.

Each save stamps the time in the session. A session whose stamp is SESSION_COOKIE_AGE old is idle: it is
deleted when next loaded, whatever Redis still holds (the cache's own expiry is a second guard, not the
rule). ppda.session_activity re-saves an active session at most once every SESSION_TOUCH_SECONDS, so a
session ends SESSION_COOKIE_AGE after its last use, at most SESSION_TOUCH_SECONDS early.

Ending a session deletes the row first, then the cache entry. Should the cache delete fail (Redis
unreachable; the action then fails loudly), a copy left in Redis is dropped at its next re-save, which
finds no row: within SESSION_TOUCH_SECONDS of use.
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import UpdateError
from django.utils import timezone

ACTIVE_AT_SESSION_KEY = "ppda_active_at"


def now_stamp() -> int:
    return int(timezone.now().timestamp())


def session_idle(data: dict) -> bool:
    """True when the session data was last saved SESSION_COOKIE_AGE or more ago."""
    active_at = data.get(ACTIVE_AT_SESSION_KEY)
    return active_at is not None and now_stamp() - active_at >= settings.SESSION_COOKIE_AGE


class SessionStore(cached_db.SessionStore):
    def load(self):
        data = super().load()
        if data and session_idle(data):
            # Idle: end it for good (row and cache entry), and carry on as a new, empty session.
            self.delete()
            self._session_key = None
            return {}
        return data

    def save(self, must_create=False):
        data = self._get_session(no_load=must_create)
        if data:
            data[ACTIVE_AT_SESSION_KEY] = now_stamp()
        try:
            super().save(must_create)
        except UpdateError:
            # The row is gone: the session was ended, but Redis still served it (its delete failed, or
            # raced this request). Forget it there too, so the next request is signed out.
            self._cache.delete(self.cache_key)
            raise
