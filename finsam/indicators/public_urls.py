"""The respondents' pages, open without login (``accounts.middleware.PUBLIC_SURVEY_PREFIX``)."""

from django.urls import path

from finsam.indicators import public_views

urlpatterns = [
    path("enkat/tack/", public_views.thanks, name="survey_thanks"),
    path("enkat/<str:token>/", public_views.survey, name="survey"),
]
