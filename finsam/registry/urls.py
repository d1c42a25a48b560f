from django.urls import path

from finsam.registry import search_views, views

urlpatterns = [
    path("forbund/", views.association_list, name="association_list"),
    path("forbund/nytt/", views.association_edit, name="association_create"),
    path("forbund/<int:pk>/", views.association_detail, name="association_detail"),
    path("forbund/<int:pk>/redigera/", views.association_edit, name="association_edit"),
    path("forbund/<int:pk>/medlemmar/ny/", views.member_add, name="member_add"),
    path("forbund/<int:pk>/styrelse/ny/", views.board_member_add, name="board_member_add"),
    path("forbund/<int:pk>/omrade/ny/", views.area_add, name="area_add"),
    path("forbund/<int:pk>/fragor/ny/", views.extra_question_add, name="extra_question_add"),
    path(
        "forbund/<int:association_pk>/insatser/ny/",
        views.intervention_create,
        name="intervention_create",
    ),
    path("insatser/", views.intervention_list, name="intervention_list"),
    path("insatser/<int:pk>/", views.intervention_detail, name="intervention_detail"),
    path("insatser/<int:pk>/redigera/", views.intervention_edit, name="intervention_edit"),
    path("insatser/<int:pk>/personal/", views.intervention_assign, name="intervention_assign"),
    path("insatser/<int:pk>/volym/", views.volume_edit, name="volume_edit"),
    path("insatser/<int:pk>/deltagare/", views.episode_list, name="episode_list"),
    path("deltagare/", search_views.participant_search, name="participant_search"),
    path("insatser/<int:pk>/deltagare/ny/", views.episode_enrol, name="episode_enrol"),
    path("inskrivningar/<int:pk>/", views.episode_detail, name="episode_detail"),
    path("inskrivningar/<int:pk>/avslut/", views.episode_exit, name="episode_exit"),
    path("inskrivningar/<int:pk>/rattelse/", views.episode_correct, name="episode_correct"),
    path(
        "inskrivningar/<int:pk>/felregistrering/",
        views.episode_mark_error,
        name="episode_mark_error",
    ),
    path("inskrivningar/<int:pk>/uppfoljning/", views.followup_record, name="followup_record"),
    path(
        "inskrivningar/<int:pk>/samtycke/aterkalla/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
]

from finsam.registry import signoff_views  # noqa: E402

urlpatterns += [
    path("forbund/<int:pk>/perioder/", signoff_views.signoff_page, name="signoff_page"),
    path(
        "forbund/<int:pk>/perioder/<int:signoff_pk>/oppna/",
        signoff_views.signoff_reopen,
        name="signoff_reopen",
    ),
    path("perioder/", signoff_views.signoff_status, name="signoff_status"),
]
