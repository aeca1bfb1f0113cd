"""Django's database session engines, reading a session's row with a prepared query.

A session is read on every signed-in page (and, with the cached_db engine, whenever
the cache has lost it). Django builds and compiles a queryset for that lookup by key
each time: most of the half millisecond it costs. The row, its expiry check and
everything else are Django's; only the reading is prepared once.
``SESSION_ENGINE`` names :mod:`.db` or :mod:`.cached_db`.
"""

from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.prepared import Prepared

_session_row = Prepared(
    lambda key: Session.objects.filter(session_key=key).values_list(
        "session_data", "expire_date"
    )
)


class PreparedLookup:
    """For a subclass of Django's database ``SessionStore``."""

    def _get_session_from_db(self):
        rows = _session_row.rows(self.session_key)
        if rows:
            data, expires = rows[0]
            if expires > timezone.now():
                return Session(
                    session_key=self.session_key, session_data=data, expire_date=expires
                )
        self._session_key = None
        return None
