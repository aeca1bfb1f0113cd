from django.urls import path

from conversations.web import board_views, moderation_views, views

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
    path("campaigns/<slug:slug>/follow/", views.follow, name="follow_campaign"),
    path(
        "campaigns/<slug:slug>/ideas/<int:pk>/follow/",
        views.follow,
        name="follow_idea",
    ),
    # Moderation
    path("ground-rules/", moderation_views.ground_rules, name="ground_rules"),
    path("moderation/", moderation_views.queue, name="moderation"),
    path("moderation/history/", moderation_views.history, name="moderation_history"),
    path(
        "campaigns/<slug:slug>/moderation/",
        moderation_views.queue,
        name="campaign_moderation",
    ),
    path(
        "campaigns/<slug:slug>/moderation/history/",
        moderation_views.history,
        name="campaign_moderation_history",
    ),
    path(
        "campaigns/<slug:slug>/<str:kind>/<int:pk>/report/",
        moderation_views.flag_post,
        name="flag",
    ),
    path(
        "campaigns/<slug:slug>/<str:kind>/<int:pk>/review/",
        moderation_views.ask_review,
        name="ask_review",
    ),
    path(
        "campaigns/<slug:slug>/<str:kind>/<int:pk>/moderate/hide/",
        moderation_views.hide_form,
        name="moderate_hide_form",
    ),
    path(
        "campaigns/<slug:slug>/<str:kind>/<int:pk>/moderate/edit/",
        moderation_views.edit_post,
        name="moderate_edit",
    ),
    path(
        "campaigns/<slug:slug>/ideas/<int:pk>/moderate/merge/",
        moderation_views.merge_idea,
        name="moderate_merge",
    ),
    path(
        "campaigns/<slug:slug>/<str:kind>/<int:pk>/moderate/<str:action>/",
        moderation_views.moderate_post,
        name="moderate_post",
    ),
    # Team boards
    path(
        "teams/<slug:team_slug>/board/new/",
        board_views.board_start,
        name="board_start",
    ),
    path(
        "campaigns/<slug:slug>/board/settings/",
        board_views.board_settings,
        name="board_settings",
    ),
    path(
        "campaigns/<slug:slug>/ideas/<int:pk>/put-forward/",
        board_views.idea_put_forward,
        name="idea_put_forward",
    ),
    path("put-forward/", board_views.put_forward_list, name="put_forward_list"),
    path("put-forward/<int:pk>/carry/", board_views.carry, name="carry"),
]
