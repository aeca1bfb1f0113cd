from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path(
        "invitation/<uidb64>/<token>/",
        views.accept_invitation,
        name="invitation",
    ),
]
