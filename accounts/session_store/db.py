"""``SESSION_ENGINE`` without a shared cache: Django's db engine, read prepared."""

from django.contrib.sessions.backends import db

from accounts.session_store import PreparedLookup


class SessionStore(PreparedLookup, db.SessionStore):
    pass
