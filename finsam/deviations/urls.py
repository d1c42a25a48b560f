from django.urls import path

from finsam.deviations import views

urlpatterns = [
    path("avvikelser/", views.deviation_list, name="deviation_list"),
    path("avvikelser/ny/", views.deviation_start, name="deviation_start"),
    path("avvikelser/statistik/", views.deviation_statistics, name="deviation_statistics"),
    path("avvikelser/<int:pk>/", views.deviation_detail, name="deviation_detail"),
    path("avvikelser/<int:pk>/klassificera/", views.deviation_classify, name="deviation_classify"),
    path("avvikelser/<int:pk>/atgard/", views.deviation_action, name="deviation_action"),
    path("avvikelser/<int:pk>/avsluta/", views.deviation_close, name="deviation_close"),
    path("forbund/<int:pk>/avvikelser/ny/", views.deviation_new, name="deviation_new"),
]
