from django.urls import path

from conversations.web import on_behalf_views

app_name = "on_behalf"
urlpatterns = [
    path("campaigns/<slug:slug>/on-behalf/", on_behalf_views.enter, name="enter"),
]
