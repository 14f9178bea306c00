"""How our authentication classes appear in the OpenAPI description."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "campus_social.common.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "Sign in with POST /api/v1/auth/card/; send X-CSRFToken on writes.",
        }


class ReaderDeviceScheme(OpenApiAuthenticationExtension):
    target_class = "campus_social.identity.rest_api.authentication.ReaderDeviceAuthentication"
    name = "readerDevice"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Card readers send `Device <key>`, the key given at registration.",
        }
