"""What every command of `servicedesk` shares (servicedesk.cli and the domains' cli
modules): running async work with the database pool open, failing with a message, and the
console on stderr (stdout is for the command's output)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from rich.console import Console

T = TypeVar("T")
console = Console(stderr=True)


def run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    """Runs async work with the database pool open."""
    from servicedesk import db

    async def main() -> T:
        await db.start_pool()
        try:
            return await coro_factory()
        finally:
            await db.close_pool()

    return asyncio.run(main())


def fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {message}")
    sys.exit(code)
