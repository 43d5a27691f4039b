"""The numbers a request asks for: ASCII digits only, few enough for a bigint column and for int()."""

import pytest

from paperhub.core.converters import NUMBER_DIGITS, asked_number


@pytest.mark.parametrize(("text", "number"), [
    ("0", 0), ("42", 42), ("007", 7), ("9" * NUMBER_DIGITS, int("9" * NUMBER_DIGITS)),
    ("", None), ("9" * (NUMBER_DIGITS + 1), None), ("9" * 5000, None),  # int() refuses past 4,300 digits
    ("\u00b2", None), ("\u0663", None), ("-1", None), ("+1", None), (" 1", None), ("1.0", None), ("1\x00", None),
])
def test_only_a_short_run_of_ascii_digits_is_a_number(text, number):
    assert asked_number(text) == number
