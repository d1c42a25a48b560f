from django.urls import path

from finsam.interchange import views

urlpatterns = [
    path("import/", views.import_upload, name="import_upload"),
    path("import/<str:token>/felrapport.csv", views.import_report, name="import_report"),
    path("import/<str:token>/bekrafta/", views.import_confirm, name="import_confirm"),
]
