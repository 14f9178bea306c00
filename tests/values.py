"""A My Number-shaped value for tests: eleven digits plus a valid check digit (not a real one)."""

A_MY_NUMBER = "123456789018"

# The Origin header of this site's own pages, as a websocket handshake from them carries it.
WEBSOCKET_ORIGIN = (b"origin", b"http://localhost")
