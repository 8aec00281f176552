"""The fixed URLconf of playground.md that /resolve/ and /reverse/ use."""
from django.http import HttpResponse
from django.urls import include, path, re_path, register_converter


class FourDigitYear:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return "%04d" % int(value)


register_converter(FourDigitYear, "yyyy")


def view(request, *args, **kwargs):
    return HttpResponse("")


articles = ([
    path("", view, name="index"),
    path("<yyyy:year>/", view, name="year"),
    path("<yyyy:year>/<int:month>/", view, name="month"),
    path("<yyyy:year>/<int:month>/<slug:slug>/", view, name="detail"),
], "articles")

urlpatterns = [
    path("", view, name="home"),
    path("articles/", include(articles)),
    path("archive/", include(articles, namespace="archive")),
    path("users/<int:id>/", view, name="user"),
    path("users/<str:username>/", view, name="user-by-name"),
    path("files/<path:rest>", view, name="file"),
    path("items/<uuid:uid>/", view, name="item"),
    re_path(r"^legacy/(?P<code>[a-z]{3})-(\d+)/$", view, name="legacy"),
    re_path(r"^old/(\d+)/(\d+)/$", view, name="old"),
    path("api/", include([path("v1/<int:pk>/", view, name="v1"), path("v1/", view, name="v1-root")])),
    path("dup/", view, name="dup"),
    path("dup2/", view, name="dup"),
    path("café/", view, name="cafe"),
]
