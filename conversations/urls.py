from django.urls import path

from conversations import views

app_name = "conversations"
urlpatterns = [
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign"),
    path("campaigns/<slug:slug>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<slug:slug>/ideas/new/", views.idea_create, name="idea_create"),
    path("campaigns/<slug:slug>/ideas/<int:pk>/", views.idea_detail, name="idea"),
    path(
        "campaigns/<slug:slug>/ideas/<int:pk>/comments/",
        views.comment_create,
        name="comment_create",
    ),
    path(
        "campaigns/<slug:slug>/ideas/<int:pk>/moderate/",
        views.idea_moderate,
        name="idea_moderate",
    ),
    path("campaigns/<slug:slug>/<str:kind>/<int:pk>/vote/", views.vote, name="vote"),
]
