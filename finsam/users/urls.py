from django.urls import path

from finsam.users import views

urlpatterns = [
    path("anvandare/", views.user_list, name="user_list"),
    path("anvandare/ny/", views.user_new, name="user_new"),
    path("anvandare/sparrar/", views.lockout_list, name="lockout_list"),
    path("anvandare/<int:pk>/", views.user_detail, name="user_detail"),
    path("anvandare/<int:pk>/andra/", views.user_edit, name="user_edit"),
]
