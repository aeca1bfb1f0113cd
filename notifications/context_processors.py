from django.http import HttpRequest

from notifications.services import unread_count


def unread_notifications(request: HttpRequest) -> dict:
    """The bell's count, in the header of every page (one small indexed query)."""
    if not request.user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(request.user)}
