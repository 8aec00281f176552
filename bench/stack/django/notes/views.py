"""The three requests of bench/stack (and the sign-in that precedes them), as a Django user
writes them."""
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import Note


def login_view(request):
    if request.method == "POST":
        user = authenticate(
            request, username=request.POST.get("username"), password=request.POST.get("password")
        )
        if user is not None:
            login(request, user)
            return redirect("/notes/")
        return render(request, "login.html", {"error": True})
    return render(request, "login.html", {})


def latest(user):
    return Note.objects.filter(user=user).order_by("-id")[:20]


@login_required
def note_list(request):
    return render(request, "notes.html", {"notes": latest(request.user)})


@require_POST
@login_required
def note_create(request):
    Note.objects.create(
        user=request.user,
        title=request.POST.get("title", ""),
        body=request.POST.get("body", ""),
        created=timezone.now(),
    )
    return redirect("/notes/")


@login_required
def note_json(request):
    notes = [
        {"id": n.id, "title": n.title, "body": n.body, "created": n.created.isoformat()}
        for n in latest(request.user)
    ]
    return JsonResponse({"notes": notes})
