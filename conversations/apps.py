from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Campaigns and conversations")

    def ready(self) -> None:
        from accounts import person_cache
        from conversations import (
            campaign_rows,
            idea_cards,
            socket_access,  # noqa: F401 - connects its receivers
        )

        campaign_rows.connect()
        person_cache.also_fetch_for_path(idea_cards.keys_for_page)
