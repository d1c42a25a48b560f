from django.contrib.auth import views as auth_views
from django.urls import include, path

from finsam.registry.audit_views import audit_list
from finsam.registry.rights_views import participant_rights
from finsam.web import accessibility, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("tillganglighet/", accessibility.accessibility_statement, name="accessibility"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("granskningslogg/", audit_list, name="audit_list"),
    path("deltagare/<int:pk>/rattigheter/", participant_rights, name="participant_rights"),
    path("", include("finsam.accounts.urls")),
    path("", include("finsam.users.urls")),
    path("utvardering/", include("finsam.evaluation.web.urls")),
    path("", include("finsam.registry.urls")),
    path("", include("finsam.finance.urls")),
    path("", include("finsam.socioeconomics.urls")),
    path("", include("finsam.interchange.urls")),
    path("", include("finsam.reports.urls")),
    path("", include("finsam.deviations.urls")),
    path("", include("finsam.indicators.urls")),
    path("", include("finsam.indicators.public_urls")),
    path("", include("finsam.planning.urls")),
    path("", include("finsam.jobs.urls")),
]
