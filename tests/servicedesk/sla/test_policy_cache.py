"""Live traffic keeps the active SLA policies for a moment per process
(sla.facts.cached_policies, a servicedesk.cache.Cached): a change made through this process
applies at once, one made elsewhere within the recheck interval."""

from __future__ import annotations

import asyncio

import pytest

from servicedesk.sla import facts
from servicedesk.sla import service as sla
from servicedesk.sla.tables import SlaPolicy
from servicedesk.tickets import service as tickets
from tests.servicedesk.sla.conftest import ADMIN, MONDAY_9AM, contact, make_policy, sla_of


async def _first_response_due_minutes() -> float | None:
    ticket_id, _ = await tickets.receive_contact(contact=contact(), now=MONDAY_9AM)
    due = (await sla_of(ticket_id))["sla_due_at"]
    return None if due is None else (due - MONDAY_9AM).total_seconds() / 60


async def test_changes_through_the_service_apply_to_the_next_ticket() -> None:
    assert await _first_response_due_minutes() is None  # no policy yet (and now cached)
    policy_id = await make_policy(targets={"normal": {"first_response": 60}})
    assert await _first_response_due_minutes() == 60
    await sla.update_policy(
        policy_id=policy_id,
        changes={"targets": {"normal": {"first_response": 30}}},
        actor=ADMIN,
        now=MONDAY_9AM,
    )
    assert await _first_response_due_minutes() == 30
    await sla.delete_policy(policy_id=policy_id, actor=ADMIN)
    assert await _first_response_due_minutes() is None


async def test_a_change_made_by_another_process_applies_within_the_recheck_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(facts.cached_policies, "recheck_seconds", 0.2)
    policy_id = await make_policy(targets={"normal": {"first_response": 60}})
    assert await _first_response_due_minutes() == 60
    # As another server or the CLI would: a write this process's service did not make.
    await SlaPolicy.update({SlaPolicy.active: False}).where(SlaPolicy.id == policy_id)
    assert await _first_response_due_minutes() == 60  # this process's copy, for now
    await asyncio.sleep(0.25)
    assert await _first_response_due_minutes() is None
