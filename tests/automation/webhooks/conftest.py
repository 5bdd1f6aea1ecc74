from __future__ import annotations

from collections.abc import Iterator

import pytest

from servicedesk.settings import get_settings

from .receiver import Receiver


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE", "1")
    get_settings.cache_clear()


@pytest.fixture
def receiver(allow_private: None) -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    try:
        yield server
    finally:
        server.stop()
