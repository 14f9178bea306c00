from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/landing.html")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "frontend/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/500.html", status=500)
