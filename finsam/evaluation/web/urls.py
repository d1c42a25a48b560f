from django.urls import path

from finsam.evaluation.web import views

urlpatterns = [
    path("", views.index, name="evaluation_index"),
    path("did/", views.did, name="evaluation_did"),
    path("isf/", views.isf, name="evaluation_isf"),
]
