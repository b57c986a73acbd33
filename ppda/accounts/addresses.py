"""The client's network address, trusting only as many X-Forwarded-For hops as we have proxies."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address the nearest trusted proxy saw, or the socket address when no proxy is configured.

    X-Forwarded-For entries left of the trusted hops are written by the client and can be anything:
    keying a lockout on them would let an attacker pick a fresh address for every guess.
    """
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    candidate = request.META.get("REMOTE_ADDR", "")
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            candidate = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
