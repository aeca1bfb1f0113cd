from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("outcomes/", views.outcomes, name="outcomes"),
    path("campaigns/<slug:slug>/synthesis/", views.synthesis, name="synthesis"),
    path(
        "campaigns/<slug:slug>/synthesis/run/",
        views.synthesis_start,
        name="synthesis_start",
    ),
    path(
        "campaigns/<slug:slug>/synthesis/progress/",
        views.synthesis_progress,
        name="synthesis_progress",
    ),
    path(
        "campaigns/<slug:slug>/synthesis/suggestions/<int:pk>/accept/",
        views.suggestion_accept,
        name="suggestion_accept",
    ),
    path(
        "campaigns/<slug:slug>/synthesis/themes/",
        views.theme_create,
        name="theme_create",
    ),
    path(
        "campaigns/<slug:slug>/synthesis/themes/<int:pk>/",
        views.theme_change,
        name="theme_change",
    ),
    path(
        "campaigns/<slug:slug>/synthesis/ideas/<int:pk>/move/",
        views.idea_move,
        name="idea_move",
    ),
    path("campaigns/<slug:slug>/report/", views.report_detail, name="report"),
    path("campaigns/<slug:slug>/report/edit/", views.report_edit, name="report_edit"),
    path(
        "campaigns/<slug:slug>/report/preview/",
        views.report_preview,
        name="report_preview",
    ),
    path(
        "campaigns/<slug:slug>/report/publish/",
        views.report_publish,
        name="report_publish",
    ),
    path(
        "campaigns/<slug:slug>/report/print/", views.report_print, name="report_print"
    ),
    path("campaigns/<slug:slug>/report/pdf/", views.report_pdf, name="report_pdf"),
    path(
        "campaigns/<slug:slug>/report/actions/new/",
        views.action_create,
        name="action_create",
    ),
    path(
        "campaigns/<slug:slug>/report/actions/<int:pk>/",
        views.action_edit,
        name="action_edit",
    ),
    path("campaigns/<slug:slug>/analytics/", views.analytics, name="analytics"),
    path(
        "campaigns/<slug:slug>/analytics/figures/",
        views.analytics_fragment,
        name="analytics_fragment",
    ),
    path(
        "campaigns/<slug:slug>/analytics.csv",
        views.analytics_csv,
        name="analytics_csv",
    ),
    path(
        "campaigns/<slug:slug>/contributions.<str:fmt>",
        views.contributions_export,
        name="contributions",
    ),
]
