"""bench/live_app.py plus the fixes suggested in bench/LIVE.md, applied as patches,
to measure what they would change. Bench-only; delete once the fixes are in the app.

    .venv/bin/python bench/live_memory.py --app bench.live_app_fixes:application
    .venv/bin/python bench/live_broadcast.py --app bench.live_app_fixes:application

1. conversations/hub.py ``_schedule_presence``: do not push the local viewer count to
   every local socket on each join/leave (N joins -> N*(N-1)/2 frames); push it from the
   already coalesced timer, at most once per PRESENCE_INTERVAL.
2. SQLite only: keep the database connection (CONN_MAX_AGE=None). Without it every
   ``database_sync_to_async`` call (4 per websocket connect) opens a new SQLite
   connection, registers Django's SQL functions and runs the PRAGMAs.
"""

import asyncio

from bench.live_app import application  # noqa: F401 (sets Django up)
from conversations import hub
from django.db import connections


def _schedule_presence(self, campaign_id: int) -> None:
    if campaign_id not in self.presence_scheduled:
        self.presence_scheduled.add(campaign_id)
        self._spawn(self._announce_later(campaign_id))


async def _announce_later(self, campaign_id: int) -> None:
    await asyncio.sleep(hub.PRESENCE_INTERVAL)
    self.presence_scheduled.discard(campaign_id)
    self._push_viewers(campaign_id)
    await self._announce(campaign_id)


hub.Hub._schedule_presence = _schedule_presence
hub.Hub._announce_later = _announce_later

if connections["default"].vendor == "sqlite":
    connections["default"].settings_dict["CONN_MAX_AGE"] = None
