import pytest

from campus_social.common.my_number import looks_like_my_number


def _with_check_digit(eleven: str) -> str:
    weights = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    remainder = sum(int(d) * w for d, w in zip(eleven, weights, strict=True)) % 11
    return eleven + str(0 if remainder <= 1 else 11 - remainder)


VALID = _with_check_digit("12345678901")


def test_a_twelve_digit_number_with_a_valid_check_digit_is_a_my_number():
    assert looks_like_my_number(VALID)


@pytest.mark.parametrize(
    "written",
    [
        f"{VALID[:4]} {VALID[4:8]} {VALID[8:]}",
        f"{VALID[:4]}-{VALID[4:8]}-{VALID[8:]}",
        VALID.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ],
)
def test_a_my_number_is_recognised_however_it_is_written(written):
    assert looks_like_my_number(written)


def test_a_wrong_check_digit_is_not_a_my_number():
    wrong = VALID[:11] + str((int(VALID[11]) + 1) % 10)
    assert not looks_like_my_number(wrong)


@pytest.mark.parametrize("value", ["", "1234", "1234567890123", "ABCDEFGHIJKL", "CARD12345678"])
def test_other_values_are_not_my_numbers(value):
    assert not looks_like_my_number(value)
