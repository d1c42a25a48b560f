from django.urls import path

from finsam.accounts import oidc, signin_views

urlpatterns = [
    path("login/e-legitimation/", oidc.FinsamOIDCLoginView.as_view(), name="oidc_login"),
    path("login/e-legitimation/svar/", oidc.FinsamOIDCCallbackView.as_view(), name="oidc_callback"),
    path("login/kod/", signin_views.mfa_verify, name="mfa_verify"),
    path("login/bekrafta/", signin_views.reauthenticate, name="reauthenticate"),
    path("konto/tvastegsverifiering/", signin_views.mfa_setup, name="mfa_setup"),
]
