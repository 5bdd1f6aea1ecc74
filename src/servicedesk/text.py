"""What text the service desk stores: no NUL characters and no lone surrogates (neither
can be stored in PostgreSQL or encoded as UTF-8), and what an email address looks like.

The patterns are also written into the OpenAPI schema, so that a client (or schemathesis)
knows before sending what the server refuses."""

from __future__ import annotations

import re

from servicedesk.errors import Invalid

# JSON Schema (ECMA 262), Rust's regex (schemathesis checks patterns with it) and Python
# read these patterns alike. Lone surrogates cannot be written in a pattern Rust accepts
# (they are not characters of a valid string); the check below refuses them all the same.
_STORABLE = r"[^\x00]"
_VISIBLE = r"[^\x00\s]"
TEXT_PATTERN = rf"^{_STORABLE}*$"
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")

# One @, something on both sides, no white space inside: the same rule for agents and
# customers. Request bodies are stripped of white space around values first.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
EMAIL_PATTERN = r"^\s*[^@\s\x00]+@[^@\s\x00]+\s*$"


def stripped_at_least(length: int) -> str:
    """The pattern of storable text with at least `length` characters once the white space
    around it is stripped."""
    if length == 1:
        return rf"^{_STORABLE}*{_VISIBLE}{_STORABLE}*$"
    return rf"^\s*{_VISIBLE}{_STORABLE}{{{length - 2},}}{_VISIBLE}\s*$"


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
