"""Deny by default: walk every route in the URLconf and prove that an anonymous caller is refused,
unless the route is on the reviewed public list below.

Adding a public route means adding it here, in a reviewed change, with the reason.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# route name → why it is public
PUBLIC_ROUTES = {
    "healthz": "liveness probe for the load balancer",
    "readyz": "readiness probe for the load balancer",
    "api-schema": "the OpenAPI description of a public API",
    "api-docs": "browsable documentation of that API",
    "identity:card-login": "signing in is what anonymous callers do",
    "identity:device-me": "card readers authenticate with their own key, not a session",
    "calendar:feed": "calendar apps cannot sign in: the secret token in the address is the "
    "credential (unknown or revoked tokens answer 404; nothing is cached)",
    "courses:offering-calendar": "a published offering's dates, as public as its page",
    "frontend:language": "choosing Japanese or English before signing in",
    "frontend:landing": "the front door",
    "frontend:login": "the sign-in page",
    "frontend:text-size": "large-text mode before signing in",
    "frontend:logout": "signing out changes nothing for a caller who is not signed in",
    "frontend:course-catalogue": "anyone may browse the published courses before signing in",
    "frontend:offering": "a published offering's page, as the catalogue links it; enrolling needs a login",
    "frontend:search": "the search page: a visitor finds what is public (the catalogue's courses, "
    "approved lecturers); signing in opens what the resident's access keys allow (issue #13)",
    "search:search": "the search API, public like the catalogue: anonymous callers find only public "
    "documents, signed-in residents also what their access keys open (issue #13)",
    "search:suggest": "typeahead for the search boxes, with the same access rule as search:search",
    "credentials:issuer": "the credential issuer's public profile, named in every credential",
    "credentials:jwks": "the issuer's public keys: anyone may verify a credential",
    "credentials:status": "a credential's revocation status, named in the credential itself",
    "credentials:context": "the JSON-LD contexts credentials name, served from local copies",
    "frontend:credential-verify": "the page where anyone checks a credential they were shown",
    "credentials-api:verify": "anyone holding a credential may check it (rate-limited per address)",
    "consortium:catalogue": "which courses count towards which university's degree, for how "
    "many credits: public, like the course catalogue (issue #12)",
    "consortium:universities": "the consortium's universities with their caps and rounding: "
    "public, no personal data",
    "frontend:credit-catalogue": "the page of the public consortium catalogue: which courses count "
    "where, for how many credits, and each university's cap (issue #12)",
    "admin:login": "operators sign in to the admin site",
    "admin:logout": "the admin's own sign-out; it changes nothing for anonymous callers",
    "admin:index": "redirects anonymous callers to admin:login",
    "admin:jsi18n": "Django's admin translation catalogue, no data",
}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield prefix + str(entry.pattern), name


def _example_path(route: str) -> str:
    path = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"<(?:int:|id:)?\w+>", "1", path)
    path = re.sub(r"<path:\w+>", "x", path)
    path = re.sub(r"<\w+:\w+>", "x", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    return "/" + path


ROUTES = sorted(set(_walk(get_resolver().url_patterns)))
PRIVATE_ROUTES = [(route, name) for route, name in ROUTES if name not in PUBLIC_ROUTES]


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    location = response.headers.get("Location", "")
    return response.status_code == 302 and ("/login/" in location)


@pytest.mark.parametrize(("route", "name"), PRIVATE_ROUTES, ids=[r for r, _n in PRIVATE_ROUTES])
@pytest.mark.django_db
def test_every_route_refuses_anonymous_callers_unless_reviewed_public(client, route, name):
    path = _example_path(route)
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(client, method)(path)
        assert _refused(response), (
            f"{method.upper()} {path} ({name}) answered {response.status_code}"
        )


def test_the_public_list_names_only_routes_that_exist():
    names = {name for _route, name in ROUTES}
    assert set(PUBLIC_ROUTES) <= names


def test_anonymous_api_callers_get_401_with_the_error_shape(client):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"]
