"""What text the service desk stores: no NUL characters and no lone surrogates (neither
can be stored in PostgreSQL or encoded as UTF-8), and what an email address looks like.

The patterns are also written into the OpenAPI schema, so that a client (or schemathesis)
knows before sending what the server refuses. They are written so that JSON Schema
(ECMA 262), Rust's regex (schemathesis checks patterns with it) and Python read them alike:
white space is spelt out as the characters Python's str.isspace() and str.strip() know,
and lone surrogates, which no pattern Rust accepts can name, are refused by check_text."""

from __future__ import annotations

import re

from servicedesk.errors import Invalid

_SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TEXT_PATTERN = r"^[^\x00]*$"
# At least one character that is not white space.
NON_BLANK_PATTERN = rf"^[^\x00]*[^\x00{_SPACE}][^\x00]*$"
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")

# One @, something on both sides, no white space: the same rule for agents and customers
# (white space around the address is stripped first).
EMAIL_PATTERN = rf"^[{_SPACE}]*[^@\x00{_SPACE}]+@[^@\x00{_SPACE}]+[{_SPACE}]*$"
_EMAIL = re.compile(rf"^[^@{_SPACE}]+@[^@{_SPACE}]+$")


def check_text(value: str, *, field: str) -> str:
    """The value, or a 422 naming the field when it holds a character no database keeps."""
    found = _UNSTORABLE.search(value)
    if found:
        what = "a NUL character" if found.group() == "\x00" else "a lone surrogate"
        raise Invalid(f"{field} contains {what}", field=field)
    return value


def normalize_email(value: str) -> str:
    """The address in lower case, or a 422 when it is not an email address."""
    value = value.strip()
    if not _EMAIL.match(value):
        raise Invalid(f"{value!r} is not an email address", field="email")
    return value.lower()
