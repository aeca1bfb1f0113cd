"""``SESSION_ENGINE`` with Redis: Django's cached_db engine, read prepared from the
database when the cache has lost a session, and readable together with other cache
entries."""

from django.contrib.sessions.backends import cached_db

from accounts.session_store import PreparedLookup


class SessionStore(PreparedLookup, cached_db.SessionStore):
    def read_with(self, keys: list[str]) -> dict:
        """Read this session from the cache together with other entries, in one round
        trip (``accounts.session_user``: the person the browser says it is); returns
        what was found of ``keys``. A session not in the cache is loaded as usual."""
        if not self.session_key:
            return {}
        found = self._cache.get_many([self.cache_key, *keys])
        data = found.pop(self.cache_key, None)
        if data is not None:
            self._session_cache = data  # what load() would have read
        return found
