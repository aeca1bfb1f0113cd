from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("", views.results, name="results"),
    path("similar/<slug:slug>/", views.similar, name="similar"),
    path("similar/<slug:slug>/check/", views.check_similar, name="check_similar"),
    path(
        "similar/<slug:slug>/<int:pk>/support/",
        views.support_instead,
        name="support_instead",
    ),
]
