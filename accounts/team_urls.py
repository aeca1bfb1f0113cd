from django.urls import path

from accounts import team_views

app_name = "teams"
urlpatterns = [
    path("", team_views.my_teams, name="mine"),
    path("all/", team_views.team_list, name="list"),
    path("<slug:slug>/", team_views.team_detail, name="detail"),
    path("<slug:slug>/members/", team_views.add_member, name="add_member"),
    path(
        "<slug:slug>/members/<int:pk>/remove/",
        team_views.remove_member,
        name="remove_member",
    ),
    path("<slug:slug>/leads/", team_views.set_leads, name="set_leads"),
    path("<slug:slug>/join/", team_views.ask_to_join, name="join"),
    path("<slug:slug>/requests/<int:pk>/", team_views.decide_request, name="decide"),
]
