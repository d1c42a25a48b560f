from django.urls import path

from finsam.finance import views

urlpatterns = [
    path("forbund/<int:pk>/budget/", views.budget_list, name="budget_list"),
    path("forbund/<int:pk>/budget/<int:year>/", views.budget_year, name="budget_year"),
    path(
        "forbund/<int:pk>/budget/<int:year>/uppgifter/",
        views.budget_year_edit,
        name="budget_year_edit",
    ),
    path(
        "forbund/<int:pk>/budget/<int:year>/rader/ny/",
        views.budget_line_edit,
        name="budget_line_add",
    ),
    path(
        "forbund/<int:pk>/budget/<int:year>/rader/<int:line_pk>/",
        views.budget_line_edit,
        name="budget_line_edit",
    ),
    path(
        "forbund/<int:pk>/budget/<int:year>/rader/<int:line_pk>/ta-bort/",
        views.budget_line_delete,
        name="budget_line_delete",
    ),
    path("modeller/fordelning/", views.allocation, name="allocation"),
    path("modeller/sammanslagning/", views.merger, name="merger"),
]
