"""What a campaign's page reads of the cache, fetched with its viewer's row.

A signed-in page reads the person's row from the cache first
(``accounts.person_cache``); a campaign or idea page then read the campaign's row,
its versions (``idea_cards``), what the viewer follows and their votes on its ideas,
a round trip each. The page's path names the campaign, so all of these come in the
same round trip as the person's row, and the page takes them from there.
"""

import re

from accounts import person_cache
from conversations import campaign_rows, idea_cards, idea_votes
from conversations.models import Campaign
from notifications.services import follows_key

_CAMPAIGN_PATH = re.compile(r"^/campaigns/([-\w]+)/")
# What this process last read each address's campaign id as: a hint only (a slug
# given to another campaign fetches the first one's versions, which are not taken).
_campaign_ids: dict[str, int] = {}


def keys_for_page(path: str, viewer_id: int) -> list[str]:
    """For a campaign's page: its row and (if this process has read it before) its
    versions, and what this viewer follows and their votes on its ideas."""
    match = _CAMPAIGN_PATH.match(path)
    if match is None:
        return []
    keys = [campaign_rows.key(match[1]), follows_key(viewer_id)]
    campaign_id = _campaign_ids.get(match[1])
    if campaign_id is not None:
        keys += [
            *idea_cards.version_keys(campaign_id),
            idea_votes.key(campaign_id, viewer_id),
        ]
    return keys


def take_versions(campaign: Campaign, viewer) -> None:
    """Give ``campaign`` its versions from those fetched with ``viewer``'s row, if
    they were (the campaign's row, follows and votes are taken where they are read)."""
    _campaign_ids[campaign.slug] = campaign.pk
    found = [
        person_cache.prefetched(viewer, key)
        for key in idea_cards.version_keys(campaign.pk)
    ]
    if None not in found:
        idea_cards.set_versions(campaign, tuple(found))


def connect() -> None:
    person_cache.also_fetch_for_path(keys_for_page)
