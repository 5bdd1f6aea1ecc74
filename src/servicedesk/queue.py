"""The huey queue chosen by QUEUE_URL: a SQLite file by default, Redis in production."""

from __future__ import annotations

from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from servicedesk.settings import get_settings


def huey_from_url(url: str, name: str) -> Huey:
    if url.startswith("redis://"):
        return RedisHuey(name, url=url)
    path = url.removeprefix("sqlite:///")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path)


huey = huey_from_url(get_settings().queue_url, get_settings().queue_name)
