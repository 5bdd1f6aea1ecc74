"""Time is an input: services take `now`, defaulting to this clock."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Datetimes from SQLite or from callers may be naive; they are UTC here."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def stored(value: datetime | str) -> datetime:
    """A timestamp as a raw read or an aggregate (MIN, MAX) gives it back: SQLite's is the
    stored text, PostgreSQL's a datetime."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
