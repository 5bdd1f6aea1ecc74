"""Shared pieces of request and response models."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator


class Request(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Changes(Request):
    """A PATCH body: the fields it names are the changes, and it names at least one (an
    empty PATCH is a client's mistake, answered 400, not a silent 200)."""

    @model_validator(mode="after")
    def not_empty(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        return self


class Page(BaseModel):
    next_cursor: str | None = None
