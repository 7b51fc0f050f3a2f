"""The bounded text fields of request bodies, named once.

Every text a client sends has a maximum length (and most are stripped of surrounding
white space; passwords keep theirs), so no body can make the bridge keep or hash
megabytes of text. `docs/security.md` lists the limits.
"""

from typing import Annotated

from pydantic import StringConstraints


def _text(max_length: int, *, min_length: int = 0, strip: bool = True) -> StringConstraints:
    return StringConstraints(strip_whitespace=strip, min_length=min_length, max_length=max_length)


Username = Annotated[str, _text(150, min_length=1)]
Password = Annotated[str, _text(200, strip=False)]
Extension = Annotated[str, _text(32)]
PhoneNumber = Annotated[str, _text(40)]
PhoneCode = Annotated[str, _text(8)]
Name = Annotated[str, _text(100)]
RequiredName = Annotated[str, _text(100, min_length=1)]
Identifier = Annotated[str, _text(64, min_length=1)]
Code = Annotated[str, _text(64)]
Email = Annotated[str, _text(254)]
ShortText = Annotated[str, _text(40)]
Line = Annotated[str, _text(255)]
Notes = Annotated[str, _text(2000)]
CustomValue = Annotated[str, _text(1000)]
Language = Annotated[str, _text(16)]
PostalCode = Annotated[str, _text(20)]
LoginToken = Annotated[str, _text(100, min_length=1)]
