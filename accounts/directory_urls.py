from django.urls import path

from accounts import directory_views

app_name = "directory"
urlpatterns = [
    path("", directory_views.upload, name="upload"),
    path("<int:pk>/columns/", directory_views.mapping, name="mapping"),
    path("<int:pk>/preview/", directory_views.preview, name="preview"),
]
