"""Placeholder: every view answers 404 until its page is built (being built now)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


def catalogue(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def my_credit(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def credit_apply(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404


def credit_withdraw(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    raise Http404
