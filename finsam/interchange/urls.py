from django.urls import path

from finsam.interchange import views

urlpatterns = [
    path("import/", views.import_upload, name="import_upload"),
    path("export/", views.export_start, name="export_start"),
    path("import/<uuid:job_id>/felrapport.csv", views.import_report, name="import_report"),
    path("import/<uuid:job_id>/bekrafta/", views.import_confirm, name="import_confirm"),
]
