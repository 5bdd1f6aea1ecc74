"""Shared pieces of request and response models."""

from __future__ import annotations

from typing import Annotated, Any, Self

from litestar.params import ParameterKwarg, PathParameter, QueryParameter
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from servicedesk.text import EMAIL_PATTERN, NON_BLANK_PATTERN, TEXT_PATTERN, check_text


def _storable(value: Any, info: ValidationInfo) -> Any:
    """A character no database keeps is a 422 naming the field (check_text raises the
    domain error, which pydantic lets through instead of collecting it)."""
    if isinstance(value, str):
        check_text(value, field=info.field_name or "body")
    return value  # anything but a string, pydantic refuses as a wrong type (400)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


_clean = BeforeValidator(_storable)
# Every text a request body carries, kept as sent; lengths stay with each field.
Text = Annotated[str, _clean, ParameterKwarg(pattern=TEXT_PATTERN)]
# Text that must hold more than white space (400 otherwise).
NonBlank = Annotated[
    str, _clean, AfterValidator(_not_blank), ParameterKwarg(pattern=NON_BLANK_PATTERN)
]
# A tag: 1 to 100 characters, not only white space.
Tag = Annotated[
    str,
    _clean,
    Field(max_length=100),
    AfterValidator(_not_blank),
    ParameterKwarg(pattern=NON_BLANK_PATTERN, max_length=100),
]
# An email address: the rule is checked by the service (422, field "email"), the pattern
# documents it.
Email = Annotated[str, _clean, ParameterKwarg(pattern=EMAIL_PATTERN)]
# Text in a query or path parameter is refused by the same pattern (a 400, as for every
# malformed parameter): QueryParameter(max_length=..., pattern=TEXT_PATTERN).

# Ids: positive and within PostgreSQL's integer, so that any id the schema allows is one
# the database can look up (a 404 when there is none, never an overflow).
MAX_ID = 2**31 - 1


def _whole(value: Any) -> Any:
    """JSON Schema counts 273.0 as an integer; bodies are read strictly otherwise."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Whole = Annotated[int, BeforeValidator(_whole)]
Id = Annotated[Whole, Field(ge=1, le=MAX_ID), ParameterKwarg(ge=1, le=MAX_ID)]
IdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]


_INSTANT = TypeAdapter(AwareDatetime)


def _instant(value: Any) -> Any:
    """Bodies are read strictly (servicedesk.app), and a strict datetime is no string: a
    JSON date-time (RFC 3339, with its offset) is parsed here; anything else is left for
    pydantic to refuse (400)."""
    if isinstance(value, str):
        try:
            return _INSTANT.validate_python(value, strict=False)
        except ValidationError:
            return value
    return value


# A point in time in a request body: an RFC 3339 date-time with its offset.
Instant = Annotated[AwareDatetime, BeforeValidator(_instant)]


class Request(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error, not silently ignored
    (the OpenAPI schema says additionalProperties: false, see servicedesk.contract). Their
    text fields are Text, NonBlank, Tag or Email, kept as sent. Strict: a number is not a
    boolean nor a string, as the schema says."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Changes(Request):
    """A PATCH body: the fields it names are the changes, and it names at least one (an
    empty PATCH is a client's mistake, answered 400, not a silent 200; the schema says
    minProperties: 1)."""

    model_config = ConfigDict(json_schema_extra={"min_properties": 1})

    @model_validator(mode="after")
    def not_empty(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        return self


class Page(BaseModel):
    next_cursor: str | None = None


class Amount(BaseModel):
    """One currency's sum of a money figure. Currencies are never converted: a figure over
    several is a list of these, sorted by currency code (servicedesk.sales.money)."""

    currency: str
    amount: float
