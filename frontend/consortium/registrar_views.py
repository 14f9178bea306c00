"""Placeholder: every view answers 404 until its page is built (being built now)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def home(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def queue(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def decide(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def agreements(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def agreement_end(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def policy(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def records(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def correct(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def correction_decide(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
