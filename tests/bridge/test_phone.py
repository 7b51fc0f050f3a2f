"""Phone numbers normalised before they reach any dialer."""

import re

import pytest

from bridge.phone import InvalidNumber, normalise


@pytest.mark.parametrize(
    ("number", "code", "e164", "display"),
    [
        ("2025550143", "1", "+12025550143", "+1 202-555-0143"),
        ("(202) 555-0143", "+1", "+12025550143", "+1 202-555-0143"),
        ("20 7946 0018", "44", "+442079460018", "+44 20 7946 0018"),
        ("+44 20 7946 0018", "1", "+442079460018", "+44 20 7946 0018"),
        ("202-555-0143", "", "+12025550143", "+1 202-555-0143"),
    ],
)
def test_numbers_are_normalised_to_e164(number: str, code: str, e164: str, display: str) -> None:
    parsed = normalise(number, phone_code=code)
    assert (parsed.e164, parsed.display, parsed.digits) == (e164, display, e164[1:])


@pytest.mark.parametrize(
    ("number", "code", "country_code", "national_number"),
    [
        ("2025550143", "1", "1", "2025550143"),
        ("+44 20 7946 0018", "", "44", "2079460018"),
        ("06 1234 5678", "39", "39", "0612345678"),  # Italy keeps its leading zero
        ("010 5934500", "27", "27", "105934500"),
    ],
)
def test_a_number_carries_its_country_code_and_national_number(
    number: str, code: str, country_code: str, national_number: str
) -> None:
    parsed = normalise(number, phone_code=code)
    assert (parsed.country_code, parsed.national_number) == (country_code, national_number)


def test_the_default_region_applies_without_a_code() -> None:
    assert normalise("020 7946 0018", default_region="GB").e164 == "+442079460018"


@pytest.mark.parametrize(
    ("number", "code", "message"),
    [
        ("call me", "1", "'call me' is not a phone number"),
        ("12", "1", "'12' has the wrong length for a number with code +1"),
        ("2025550143", "one", "phone_code 'one' must be a country calling code"),
    ],
)
def test_undiallable_numbers_say_why(number: str, code: str, message: str) -> None:
    with pytest.raises(InvalidNumber, match=re.escape(message)):
        normalise(number, phone_code=code)
