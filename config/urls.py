from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from conversations.web import views as conversation_views

# The admin has no sign-in form of its own: it sends people to allauth's, which is
# rate limited and takes verified work emails only.
admin.site.login = account_views.admin_login

urlpatterns = [
    path("", conversation_views.home, name="home"),
    # Before allauth's own, so sign-in answers 429 when failed attempts hit the limit.
    path("accounts/login/", account_views.login, name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("me/", include("conversations.web.own_posts_urls")),
    path("reveal/", include("conversations.web.reveal_urls")),
    path("notifications/", include("notifications.urls")),
    # set_language: POST a language code; the choice is kept in the language cookie
    # and, for someone signed in, on their account (accounts.views.set_language).
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    # The campaign pages first: the busiest, and tried in this order for every request.
    path("", include("conversations.web.urls")),
    path("", include("reports.urls")),
    # The accessibility statement, privacy notice and cookie list (linked from the footer).
    path("", include("statements.urls")),
    path("search/", include("search.urls")),
    path("", include("reports.prioritisation.urls")),
    path("", include("conversations.web.on_behalf_urls")),
    # The read API and its OpenAPI schema (api/, README "Read API").
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
    path("teams/", include("accounts.team_urls")),
    path("directory/", include("accounts.directory_urls")),
]

# allauth answers its rate limits (sign-in, sign-up, password reset) with this.
handler429 = "accounts.views.rate_limited"
# A database restarting under a request answers 503 "Please try again"; a body over
# DATA_UPLOAD_MAX_MEMORY_SIZE answers 413 naming the limit (config/errors.py).
handler400 = "config.errors.bad_request"
handler500 = "config.errors.server_error"
