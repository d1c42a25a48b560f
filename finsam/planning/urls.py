from django.urls import path

from finsam.planning import views

urlpatterns = [
    path("forbund/<int:pk>/verksamhetsar/", views.year_index, name="planning_index"),
    path(
        "forbund/<int:pk>/arsredovisning/<int:year>/",
        views.annual_report,
        name="annual_report",
    ),
    path(
        "forbund/<int:pk>/arsredovisning/<int:year>/texter/",
        views.annual_report_edit,
        name="annual_report_edit",
    ),
    path(
        "forbund/<int:pk>/arsredovisning/<int:year>/faststall/",
        views.annual_report_adopt,
        name="annual_report_adopt",
    ),
    path("forbund/<int:pk>/plan/", views.plan_list, name="plan_list"),
    path("forbund/<int:pk>/plan/<int:plan_year>/", views.plan_detail, name="plan_detail"),
    path(
        "forbund/<int:pk>/plan/<int:plan_year>/rader/ny/",
        views.plan_line_add,
        name="plan_line_add",
    ),
    path(
        "forbund/<int:pk>/plan/<int:plan_year>/rader/<int:line_pk>/ta-bort/",
        views.plan_line_delete,
        name="plan_line_delete",
    ),
    path(
        "forbund/<int:pk>/plan/<int:plan_year>/anta-budget/",
        views.plan_adopt_budget,
        name="plan_adopt_budget",
    ),
    path(
        "forbund/<int:pk>/budgetkalender/<int:year>/",
        views.calendar_detail,
        name="calendar_detail",
    ),
    path("budgetkalender/", views.calendar_overview, name="calendar_overview"),
]
