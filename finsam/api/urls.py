from django.urls import path

from finsam.api import views
from finsam.api.api import api

urlpatterns = [
    path("api/", api.urls),
    path("api-nycklar/", views.token_list, name="api_token_list"),
    path("api-nycklar/<int:pk>/aterkalla/", views.token_revoke, name="api_token_revoke"),
]
