"""In-app notifications and their emails: the model, the senders, the user's own list, the header count.

Every notification carries a case reference and a link, never identifiable data; who receives one about a
case is decided by that case's access module (cases.access.coordinators_for_case), never here.
"""

from .services import (  # noqa: F401 - the public senders
    EMAIL_CHUNK,
    Outgoing,
    notification_send,
    notifications_email,
    notifications_email_enqueue,
    notifications_send_bulk,
)
