from django.urls import path

from finsam.socioeconomics import views

urlpatterns = [
    path("samhallsekonomi/", views.index, name="socio_index"),
    path("samhallsekonomi/parametrar/", views.parameters, name="socio_parameters"),
    path("samhallsekonomi/parametrar/ny/", views.parameter_upload, name="socio_parameter_upload"),
    path("samhallsekonomi/aterbetalning/", views.payback, name="socio_payback"),
    path("samhallsekonomi/utanforskap/", views.exclusion, name="socio_exclusion"),
    path("samhallsekonomi/behov/", views.needs, name="socio_needs"),
]
