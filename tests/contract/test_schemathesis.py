"""The API contract: schemathesis runs every operation of the OpenAPI schema against the real
server (`servicedesk serve`) on the tests' engines, with every check, as an admin with an API
token, on a small demo data set. Any failure fails the test with schemathesis's report.

The command line, to run by hand against a server: see `schemathesis_command` (the config
is tests/contract/schemathesis.toml; docs/api.md explains the choices)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx

from servicedesk.accounts import service as accounts
from servicedesk.imports.demo import write_history
from servicedesk.imports.service import import_file
from tests.conftest import make_agent
from tests.servers import served

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")


def schemathesis_command(base_url: str) -> list[str]:
    return [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        "--wait-for-schema",
        "60",
        "--seed",
        os.environ.get("SCHEMATHESIS_SEED", "20261129"),
        f"{base_url}/schema/openapi.json",
    ]


async def demo_desk(tmp_path: Path) -> tuple[str, int, int]:
    """Agents, a few weeks of history, and the admin's API token (with its id)."""
    admin = await make_agent("admin@desk.example", "admin", team="Tier 1")
    lead = await make_agent("lead@desk.example", "lead", team="Tier 1")
    await make_agent("agent1@desk.example", "agent", team="Tier 2")
    history = tmp_path / "history.jsonl"
    write_history(history, customers=20, tickets=60, end=datetime.now(UTC), seed=7)
    await import_file(history)
    # Another token, which the run revokes instead of its own (tests/contract/hooks.py).
    await accounts.create_api_token(agent_id=lead, name="integration")
    token = await accounts.create_api_token(agent_id=admin, name="schemathesis")
    ids = {t["name"]: t["id"] for t in await accounts.list_api_tokens()}
    return token, ids["schemathesis"], ids["integration"]


def failures_of(report: str) -> str:
    """The failures section of schemathesis's report (its warnings come after and can be
    long), else the report's tail."""
    start = report.find("FAILURES")
    if start < 0:
        return report[-20_000:]
    end = report.find("WARNINGS", start)
    return report[start : end if end > 0 else start + 20_000][:20_000]


async def test_the_api_keeps_its_openapi_contract(tmp_path: Path) -> None:
    token, token_id, other_id = await demo_desk(tmp_path)
    env = {
        **os.environ,
        "SD_TOKEN": token,
        "SD_TOKEN_ID": str(token_id),
        "SD_OTHER_TOKEN_ID": str(other_id),
    }
    with served() as base_url:
        run = subprocess.run(
            schemathesis_command(base_url),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        # The run may not have revoked, demoted or deactivated the agent it acts as.
        me = httpx.get(
            f"{base_url}/api/tokens", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
    assert run.returncode == 0, failures_of(run.stdout) + run.stderr[-5_000:]
    # Every operation of the schema was selected and tested (a new route is covered as it
    # comes), and the run's last answer still knew its admin.
    selected = re.search(r"Selected: (\d+)/(\d+)", run.stdout)
    tested = re.search(r"Tested: (\d+)", run.stdout)
    assert selected and tested, run.stdout[-5_000:]
    assert selected[1] == selected[2] == tested[1]
    assert int(tested[1]) >= 38
    assert me.status_code == 200, me.text
