"""Shared pieces of request and response models."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.params import ParameterKwarg
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from servicedesk.text import EMAIL_PATTERN, TEXT_PATTERN, check_text, stripped_at_least


def _stripped_storable(value: Any, info: ValidationInfo) -> Any:
    """White space around the text goes (Python's str.strip, the same white space as the
    patterns' \\s); a character no database keeps is a 422 naming the field (check_text
    raises the domain error, which pydantic lets through). Runs before the length limits."""
    if not isinstance(value, str):
        return value  # pydantic refuses it as a wrong type (400)
    return check_text(value.strip(), field=info.field_name or "body")


_clean = BeforeValidator(_stripped_storable)
# Every text a request body carries; lengths stay with each field.
Text = Annotated[str, _clean, ParameterKwarg(pattern=TEXT_PATTERN)]
# Text that must hold something once stripped (the pattern, not minLength, says so, since
# minLength would count the white space the server strips).
NonBlank = Annotated[str, Field(min_length=1), _clean, ParameterKwarg(pattern=stripped_at_least(1))]
Password = Annotated[str, Field(min_length=8), _clean, ParameterKwarg(pattern=stripped_at_least(8))]
# A tag: 1 to 100 characters once stripped.
Tag = Annotated[
    str,
    Field(min_length=1, max_length=100),
    _clean,
    ParameterKwarg(pattern=stripped_at_least(1), max_length=100),
]
# An email address: the rule is checked by the service (422, field "email"), the pattern
# documents it.
Email = Annotated[str, _clean, ParameterKwarg(pattern=EMAIL_PATTERN)]
# Text in a query or path parameter is refused by the same pattern (a 400, as for every
# malformed parameter): QueryParameter(max_length=..., pattern=TEXT_PATTERN).


class Request(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error, not silently ignored
    (the OpenAPI schema says additionalProperties: false, see servicedesk.contract). Their
    text fields are Text, NonBlank, Password, Tag or Email, which strip white space."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel):
    next_cursor: str | None = None
