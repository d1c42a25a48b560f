from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Finsam – administration"
admin.site.site_title = "Finsam"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("finsam.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("finsam.web.urls")),
]
