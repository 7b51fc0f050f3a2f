"""Phone numbers as the dialers want them, from what a CRM or an import gives us."""

from dataclasses import dataclass

import phonenumbers


class InvalidNumber(ValueError):
    """The number cannot be dialled; the message says why, with the number as given."""


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    e164: str  # "+12025550123"
    display: str  # "+1 202-555-0123"
    country_code: str  # "1"
    national_number: str  # "2025550123"

    @property
    def digits(self) -> str:
        """E.164 without the '+': the form the dialers' examples use."""
        return self.e164[1:]


def normalise(
    phone_number: str, *, phone_code: str = "", default_region: str = "US"
) -> PhoneNumber:
    """Parse ``phone_number`` (with its country calling code ``phone_code`` if given).

    Without a calling code the number is read as dialled from ``default_region``; a
    number written with a leading '+' carries its own code.
    """
    number = str(phone_number).strip()
    code = str(phone_code).strip().lstrip("+")
    if code and not code.isdigit():
        raise InvalidNumber(
            f"phone_code {phone_code!r} must be a country calling code like 1 or 44"
        )
    text = number if number.startswith("+") or not code else f"+{code}{number}"
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else default_region)
    except phonenumbers.NumberParseException:
        raise InvalidNumber(f"{number!r} is not a phone number") from None
    if parsed.extension:
        raise InvalidNumber(
            f"{number!r} has an extension ({parsed.extension}), which no dialer dials: send"
            " the number without it (and the extension in the notes)"
        )
    if not phonenumbers.is_possible_number(parsed):
        where = f"+{parsed.country_code}"
        raise InvalidNumber(f"{number!r} has the wrong length for a number with code {where}")
    return PhoneNumber(
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        display=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        country_code=str(parsed.country_code),
        national_number=phonenumbers.national_significant_number(parsed),
    )
