"""Django's Redis cache, with one client object per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache
call: about 0.2 ms each here, as much as the round trip itself, and a signed-in page
or a websocket connect makes several (session, permissions, unread count, fragments).
A ``redis.Redis`` is safe to share between threads (each command borrows a
connection from the pool), so one per pool is kept.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _SharedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClient

    def validate_key(self, key):
        """Redis takes any key; Django's memcached checks walk every character in
        Python, for each of the dozen keys a page reads."""
