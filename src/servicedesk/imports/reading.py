"""Reading an import file: its lines parsed (or found to be of another type without
parsing), and the report of an import."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from servicedesk.customers.service import ContactIdentity

from .schemas import CustomerLine, ImportLine

LINE = TypeAdapter(ImportLine)


@dataclass
class ImportReport:
    lines: int = 0
    imported: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def count(self, what: str) -> None:
        self.imported[what] = self.imported.get(what, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "imported": self.imported,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


# The line's `type` key, found without parsing the line: inside JSON strings quotes are
# escaped, and no other object of the format has a "type" key (extra keys are refused).
TYPE_KEY = re.compile(r'"type"\s*:\s*"([a-z_]+)"')


def read_lines(
    lines: Iterator[str], types: tuple[str, ...] = ()
) -> Iterator[tuple[int, str, Any, str | None]]:
    """(line number, raw text, parsed line or None, error) for each non-blank line; with
    `types`, lines plainly of another type (already validated) come unparsed, as None."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        if types:
            found = TYPE_KEY.search(raw)
            if found and found.group(1) not in types:
                yield number, raw, None, None
                continue
        try:
            yield number, raw, LINE.validate_json(raw), None
        except ValidationError as exc:
            yield number, raw, None, _describe(exc)


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return f"malformed JSON: {first['msg']}"
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


def identity_of(line: CustomerLine) -> ContactIdentity:
    return ContactIdentity(
        email=line.email,
        phone=line.phone,
        social=line.social,
        external_id=line.external_id,
        name=line.name or None,
    )
