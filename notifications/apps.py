from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from accounts import person_cache
        from notifications import services

        # The bell's count, on every page, comes with the person's row.
        person_cache.also_fetch(services.unread_key)
