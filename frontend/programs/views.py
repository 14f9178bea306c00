"""Placeholder: every view answers 404 until its page is built (being built now)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def program_list(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def program_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def program_answer(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def program_consent(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def program_consent_withdraw(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def session_detail(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def session_reflection(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def photo_image(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def my_volunteering(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def volunteer_offer_withdraw(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def my_children_programs(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
