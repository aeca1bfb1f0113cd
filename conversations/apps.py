from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Campaigns and conversations")

    def ready(self) -> None:
        from conversations import versions
        from conversations.live import access

        versions.connect()
        access.connect()  # live sockets close when access is taken away
