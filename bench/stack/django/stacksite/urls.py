from django.urls import path

from notes import views

urlpatterns = [
    path("login/", views.login_view),
    path("notes/", views.note_list),
    path("notes/new/", views.note_create),
    path("api/notes/", views.note_json),
]
