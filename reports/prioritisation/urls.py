from django.urls import path

from reports.prioritisation import views

app_name = "prioritisation"
urlpatterns = [
    path("campaigns/<slug:slug>/priorities/", views.round_page, name="round"),
    path("campaigns/<slug:slug>/priorities/edit/", views.round_edit, name="round_edit"),
]
