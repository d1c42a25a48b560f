from django.urls import path

from finsam.reports import dashboard_views, job_views, views

urlpatterns = [
    path("rapporter/", views.report_index, name="report_index"),
    path("oversikt/", dashboard_views.dashboard_page, name="dashboard"),
    path("rapporter/datakvalitet/", views.report_quality, name="report_quality"),
    path(
        "rapporter/kolumnkopia/bygg-om/", job_views.extract_rebuild, name="report_extract_rebuild"
    ),
    path("rapporter/<slug:name>/", views.report_page, name="report_page"),
]
