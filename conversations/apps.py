from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Campaigns and conversations")

    def ready(self) -> None:
        from accounts.signals import privilege_changed
        from conversations import versions
        from conversations.live import access
        from conversations.services import reveal

        # Every grant of the reveal permission is announced to its holders.
        privilege_changed.connect(
            reveal.announce_privilege_change, dispatch_uid="reveal-announce-privileges"
        )
        versions.connect()
        access.connect()  # live sockets close when access is taken away
