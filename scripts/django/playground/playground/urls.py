from django.urls import path, re_path

from . import views

urlpatterns = [
    re_path(r"^inspect/", views.inspect),
    path("respond/", views.respond),
]
