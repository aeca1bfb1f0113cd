from django.contrib import admin
from django.urls import include, path

from conversations import views as conversation_views

urlpatterns = [
    path("", conversation_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("conversations.urls")),
    path("admin/", admin.site.urls),
]
