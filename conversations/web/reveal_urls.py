from django.urls import path

from conversations.web import reveal_views as views

app_name = "reveal"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:kind>/<int:pk>/request/", views.request_form, name="request"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
