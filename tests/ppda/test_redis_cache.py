"""The Redis cache backend: Django's, with one redis-py client per connection pool."""

from django.core.cache import caches

from ppda.redis_cache import RedisCache


def test_it_stores_reads_and_deletes_like_djangos():
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    cache.set("ppda-redis-cache-test", {"a": [1, 2]}, 30)
    assert cache.get("ppda-redis-cache-test") == {"a": [1, 2]}
    assert "ppda-redis-cache-test" in cache
    cache.delete("ppda-redis-cache-test")
    assert cache.get("ppda-redis-cache-test") is None


def test_the_client_is_built_once_per_pool():
    cache = caches["default"]
    client = cache._cache.get_client(write=False)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client


def test_several_servers_keep_a_client_each(settings):
    # A writer and a reader pool (Django reads from the servers after the first); no command is sent.
    cache = RedisCache(f"{settings.REDIS_URL},{settings.REDIS_URL}", {})
    writer = cache._cache.get_client(write=True)
    reader = cache._cache.get_client(write=False)
    assert writer is not reader
    assert writer.connection_pool is not reader.connection_pool
    assert cache._cache.get_client(write=True) is writer
