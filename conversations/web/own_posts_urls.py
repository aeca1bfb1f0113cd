from django.urls import path

from conversations.web import own_posts_views as views

app_name = "me"
urlpatterns = [
    path("posts/", views.my_posts, name="posts"),
    path("posts/ideas/<int:pk>/delete/", views.delete_idea, name="delete_idea"),
    path("posts/ideas/<int:pk>/edit/", views.edit_idea, name="edit_idea"),
    path("posts/comments/<int:pk>/edit/", views.edit_comment, name="edit_comment"),
    path(
        "posts/comments/<int:pk>/delete/", views.delete_comment, name="delete_comment"
    ),
    path("data/", views.my_data, name="data"),
    path("data/export/", views.export, name="export"),
    path("delete/", views.delete_account, name="delete_account"),
]
