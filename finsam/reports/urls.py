from django.urls import path

from finsam.reports import dashboard_views, views

urlpatterns = [
    path("rapporter/", views.report_index, name="report_index"),
    path("oversikt/", dashboard_views.dashboard_page, name="dashboard"),
    path("rapporter/datakvalitet/", views.report_quality, name="report_quality"),
    path("rapporter/<slug:name>/", views.report_page, name="report_page"),
]
