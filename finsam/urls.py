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

# Swedish error pages with the navigation and no internals (finsam/web/errors.py).
handler400 = "finsam.web.errors.bad_request"
handler403 = "finsam.web.errors.permission_denied"
handler404 = "finsam.web.errors.page_not_found"
handler500 = "finsam.web.errors.server_error"
