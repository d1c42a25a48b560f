from django.urls import path

from finsam.indicators import views

urlpatterns = [
    path("indikatorer/", views.index, name="indicators_index"),
    path("indikatorer/enkater/", views.definitions, name="indicators_definitions"),
    path("indikatorer/enkater/import/", views.definitions_import, name="indicators_import"),
    path("indikatorer/enkater/startuppsattning/", views.starter_load, name="indicators_starter"),
    path(
        "indikatorer/enkater/ny/",
        views.questionnaire_create,
        name="indicators_questionnaire_create",
    ),
    path(
        "indikatorer/enkater/<int:pk>/", views.questionnaire_detail, name="indicators_questionnaire"
    ),
    path(
        "indikatorer/enkater/<int:pk>/andra/",
        views.questionnaire_edit,
        name="indicators_questionnaire_edit",
    ),
    path(
        "indikatorer/enkater/<int:pk>/publicera/",
        views.questionnaire_publish,
        name="indicators_questionnaire_publish",
    ),
    path(
        "indikatorer/enkater/<int:pk>/ny-version/",
        views.questionnaire_new_version,
        name="indicators_questionnaire_new_version",
    ),
    path(
        "indikatorer/enkater/<int:pk>/ta-bort/",
        views.questionnaire_delete,
        name="indicators_questionnaire_delete",
    ),
    path("indikatorer/enkater/<int:pk>/pastaende/ny/", views.item_edit, name="indicators_item_add"),
    path(
        "indikatorer/enkater/<int:pk>/pastaende/<int:item_pk>/",
        views.item_edit,
        name="indicators_item_edit",
    ),
    path(
        "indikatorer/enkater/<int:pk>/pastaende/<int:item_pk>/ta-bort/",
        views.item_delete,
        name="indicators_item_delete",
    ),
    path("indikatorer/indikator/ny/", views.indicator_edit, name="indicators_indicator_add"),
    path("indikatorer/indikator/<int:pk>/", views.indicator_edit, name="indicators_indicator_edit"),
    path("indikatorer/insamlingar/", views.round_list, name="indicators_rounds"),
    path("indikatorer/insamlingar/ny/", views.round_create, name="indicators_round_create"),
    path("indikatorer/insamlingar/<int:pk>/", views.round_detail, name="indicators_round"),
    path("indikatorer/insamlingar/<int:pk>/lankar/", views.round_tokens, name="indicators_tokens"),
    path(
        "indikatorer/insamlingar/<int:pk>/stang/", views.round_close, name="indicators_round_close"
    ),
    path("indikatorer/insamlingar/<int:pk>/papper/", views.paper_entry, name="indicators_paper"),
    path(
        "indikatorer/insamlingar/<int:pk>/import/",
        views.answers_import,
        name="indicators_answers_import",
    ),
    path("indikatorer/resultat/", views.results, name="indicators_results"),
]
