"""Fixed-window request limits, counted in Redis (shared by every web host).

One Lua script increments the window's counter and sets its expiry together, so concurrent requests on any
number of hosts can never be let through beyond the limit (an INCR and a separate EXPIRE could also leave a
counter that never expires, if the process died between them). Keys name what is limited by an id only (a
sending system's primary key), never a secret or a person.
"""

import logging
import math
from typing import NamedTuple

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# KEYS[1]: the counter; ARGV[1]: the window in milliseconds. Returns {count in this window, ms until it resets}.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class Decision(NamedTuple):
    allowed: bool
    count: int
    retry_after: int  # whole seconds until the window resets (at least 1)


def rate_limit_key(scope: str, ident: int) -> str:
    """The counter's Redis key: the deployment's cache prefix, the scope and an id (never a secret)."""
    return cache.make_key(f"ratelimit:{scope}:{int(ident)}")


def rate_limit_hit(*, scope: str, ident: int, limit: int, window_seconds: int) -> Decision:
    """Count one request for (scope, ident) in the current window and say whether it is within `limit`.

    With Redis unreachable the request is allowed (and a warning logged): the limit protects the service
    from a runaway sender, and refusing every case report while Redis is down would be the greater harm.
    """
    try:
        # The cache's own redis-py client (ppda.redis_cache): its connection pool and short timeouts.
        client = cache._cache.get_client(write=True)
        count, ttl_ms = client.register_script(_HIT)(keys=[rate_limit_key(scope, ident)], args=[window_seconds * 1000])
    except RedisError:
        logger.warning("rate limit %s unavailable (Redis error): request allowed", scope)
        return Decision(allowed=True, count=0, retry_after=0)
    retry_after = max(1, math.ceil(int(ttl_ms) / 1000))
    return Decision(allowed=int(count) <= limit, count=int(count), retry_after=retry_after)
