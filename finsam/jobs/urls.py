from django.urls import path

from finsam.jobs import views

urlpatterns = [
    path("jobb/", views.job_list, name="job_list"),
    path("jobb/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("jobb/<uuid:pk>/fil/<int:n>/", views.job_file, name="job_file"),
]
