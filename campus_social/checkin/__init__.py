"""Card check-in at a venue's reader for any kind of session (see README.md).

The core knows no session kind: each app registers a handler in its ``AppConfig.ready()``
(``registry.checkin_handler_register``), and ``services.card_check_in`` asks them in turn.
"""
