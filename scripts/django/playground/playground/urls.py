from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import accounts, views

urlpatterns = [
    re_path(r"^inspect/", csrf_exempt(views.inspect)),
    path("respond/", csrf_exempt(views.respond)),
    path("session/", accounts.session),
    path("csrf/", accounts.csrf),
    path("login/", accounts.login),
    path("logout/", accounts.logout),
    path("whoami/", accounts.whoami),
    re_path(r"^resolve/", accounts.resolve),
    path("reverse/", accounts.reverse),
]
