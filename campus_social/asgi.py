"""The ASGI entry point: HTTP through Django, ``/ws/v1/`` through Channels.

The Django ASGI application is built before anything imports models (the routing does), and
websockets pass an Origin check (this site's host *and port*: ``common.origin``) and session
authentication first.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus_social.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from campus_social.common.body_cap import RequestBodyCap  # noqa: E402
from campus_social.common.origin import SiteOriginValidator  # noqa: E402
from messaging.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Bodies are capped before Django reads them (Django reads all of one first).
        "http": RequestBodyCap(django_asgi_app),
        "websocket": SiteOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
