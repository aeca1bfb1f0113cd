"""``SESSION_ENGINE`` with Redis: Django's cached_db engine, read prepared from the
database when the cache has lost a session."""

from django.contrib.sessions.backends import cached_db

from accounts.session_store import PreparedLookup


class SessionStore(PreparedLookup, cached_db.SessionStore):
    pass
