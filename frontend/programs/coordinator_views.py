"""Placeholder: every view answers 404 until its page is built (being built now)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def dashboard(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def program_new(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def program_manage(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def program_edit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def program_status(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def session_add(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def volunteer_invite(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def volunteer_remove(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def child_add(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def child_remove(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def session_manage(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def session_cancel(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def attendance_save(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def photo_add(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def photo_remove(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
