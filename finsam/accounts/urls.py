from django.urls import path

from finsam.accounts import oidc, signin_views, views

urlpatterns = [
    path("login/e-legitimation/", oidc.FinsamOIDCLoginView.as_view(), name="oidc_login"),
    path("login/e-legitimation/svar/", oidc.FinsamOIDCCallbackView.as_view(), name="oidc_callback"),
    path("login/kod/", signin_views.mfa_verify, name="mfa_verify"),
    path("login/bekrafta/", signin_views.reauthenticate, name="reauthenticate"),
    path("konto/tvastegsverifiering/", signin_views.mfa_setup, name="mfa_setup"),
    path("anvandare/", views.user_list, name="user_list"),
    path("anvandare/ny/", views.user_new, name="user_new"),
    path("anvandare/sparrar/", views.lockout_list, name="lockout_list"),
    path("anvandare/<int:pk>/", views.user_detail, name="user_detail"),
    path("anvandare/<int:pk>/andra/", views.user_edit, name="user_edit"),
]
