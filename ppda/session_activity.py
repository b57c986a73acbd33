"""Keep an active session alive without writing it on every request (SESSION_SAVE_EVERY_REQUEST is off).

A session's expiry moves on only when it is saved (ppda/session_store.py stamps each save). After each
request that carried a session, re-save it if its last save is SESSION_TOUCH_SECONDS old or more; most
requests then neither write the database nor Redis.
"""

from django.conf import settings

from ppda.session_store import ACTIVE_AT_SESSION_KEY, now_stamp


class SessionActivityMiddleware:
    """Place right after SessionMiddleware: this response half runs before the session is saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = request.session
        if session.modified or session.is_empty():
            return response  # saved anyway (and stamped), or no session to keep
        active_at = session.get(ACTIVE_AT_SESSION_KEY)  # loads a session the view did not read
        if session.is_empty():
            return response  # the cookie named a session that has ended
        if active_at is None or now_stamp() - active_at >= settings.SESSION_TOUCH_SECONDS:
            session.modified = True
        return response
