"""Whole numbers a client sends to name a row — ids in paths and bodies, query parameters such as
``?resident=``, a websocket frame's ``room``, ``seq`` or ``reply_to`` — bounded in one place to
what the database can hold (a signed 64-bit integer).

Past that range SQLite raises ``OverflowError`` while binding the value and PostgreSQL a
``DataError``: a 500 or a crashed socket.  A number out of range names nothing, so paths answer
404 and bodies or frames ``invalid``.
"""

from typing import Any

from rest_framework import serializers
from typing_extensions import TypeIs

DB_INT_MAX = 2**63 - 1


def is_id(value: object) -> TypeIs[int]:
    """A row id: a whole number (not a bool) from 1 to ``DB_INT_MAX``."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= DB_INT_MAX


def is_count(value: object) -> TypeIs[int]:
    """A position or count such as a ``seq``: a whole number from 0 to ``DB_INT_MAX``."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= DB_INT_MAX


class IdConverter:
    """The ``<id:…>`` path converter: ``<id:…>`` with the database's upper bound.  Raising
    ``ValueError`` tells Django the path does not match, which answers 404."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > DB_INT_MAX:
            raise ValueError(f"{value} is past the database's range")
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class IdField(serializers.IntegerField):
    """An input serializer's id (or other whole number naming a row), from 1 to ``DB_INT_MAX``
    unless told otherwise."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", DB_INT_MAX)
        super().__init__(**kwargs)
