"""Recognising an individual number (My Number) so that it is refused, never kept.

Campus Social identifies residents by their card, never by their My Number: the law allows the
number only for tax, social security and disaster work.  Any identity input that *is* a My Number
(twelve digits whose last is a valid check digit) is refused before it reaches a model, a log or
a hash.
"""

import re

_SEPARATORS = re.compile(r"[\s\-‐－ー―]")
_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)  # for the first eleven digits, left to right


def looks_like_my_number(value: str) -> bool:
    """True when ``value``, ignoring spaces and dashes, is a 12-digit My Number."""
    digits = _SEPARATORS.sub("", value.translate(_FULL_WIDTH_DIGITS))
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:11], _WEIGHTS, strict=True))
    remainder = total % 11
    check = 0 if remainder <= 1 else 11 - remainder
    return check == int(digits[11])


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
