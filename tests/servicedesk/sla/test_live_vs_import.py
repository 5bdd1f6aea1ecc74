"""The importer replays history through the same services: imported tickets get the same
SLA facts as tickets lived through the services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from servicedesk.cx.tables import TicketMetrics
from servicedesk.imports.service import import_file
from servicedesk.tickets.tables import Ticket
from tests.conftest import truncate_all
from tests.servicedesk.cx.test_live_vs_import import play_through_services, write_history
from tests.servicedesk.sla.conftest import make_policy

SLA_COLUMNS = [c for c in TicketMetrics._meta.columns if c._meta.name.startswith("sla_")]


async def _sla_facts() -> dict[str, dict[str, Any]]:
    subjects = {r["id"]: r["subject"] for r in await Ticket.select(Ticket.id, Ticket.subject)}
    rows = await TicketMetrics.select(TicketMetrics.ticket, *SLA_COLUMNS)
    return {subjects[row.pop("ticket")]: row for row in rows}


async def _policy() -> None:
    await make_policy(
        targets={"normal": {"first_response": 20, "next_reply": 15, "resolution": 100}}
    )


async def test_imported_history_has_the_same_sla_facts_as_lived_history(tmp_path: Path) -> None:
    await _policy()
    await play_through_services()
    lived = await _sla_facts()
    assert sum(f["sla_first_response_met"] + f["sla_first_response_missed"] for f in lived.values())
    assert any(f["sla_resolution_missed"] for f in lived.values())

    await truncate_all()
    await _policy()
    path = tmp_path / "history.jsonl"
    write_history(path)
    result = await import_file(path)
    assert result.rejected == []
    assert await _sla_facts() == lived
