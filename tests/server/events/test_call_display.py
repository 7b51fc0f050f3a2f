"""Numbers as agents see them: international format, whatever way the dialer wrote them."""

import pytest

from server.events.call_display import display_number


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("+13125550178", "+1 312-555-0178"),
        ("442079460018", "+44 20 7946 0018"),  # a dialer that leaves out the '+'
        ("13125550178", "+1 312-555-0178"),
        ("1001", "1001"),  # an extension
        ("2025550143", "2025550143"),  # not a whole international number: as written
        ("anonymous", "anonymous"),
    ],
)
def test_numbers_are_shown_with_their_country(written: str, shown: str) -> None:
    assert display_number(written) == shown
