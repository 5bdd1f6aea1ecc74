"""`servicedesk automation export / import`: rules as files, checked before anything is
written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from automation.rules import service as rules

from .helpers import automation_cli, rule


async def test_export_then_import_round_trips_and_updates_by_name(tmp_path: Path) -> None:
    await rule(name="tag refunds", actions=[{"type": "add_tags", "value": ["refund"]}])
    exported = json.loads(automation_cli("export"))
    assert [r["name"] for r in exported] == ["tag refunds"]
    exported[0]["position"] = 7
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(exported))
    automation_cli("import", str(path))
    assert [(r["name"], r["position"]) for r in await rules.list_rules()] == [("tag refunds", 7)]
    automation_cli("import", "--builtin", "--skip-existing")
    automation_cli("import", "--builtin", "--skip-existing")
    assert len(await rules.list_rules()) == 10


async def test_a_file_with_one_bad_rule_imports_nothing_and_names_it(tmp_path: Path) -> None:
    good = {
        "name": "ok",
        "trigger": {"events": ["ticket.created"]},
        "actions": [{"type": "add_tags", "value": ["a"]}],
    }
    bad = {
        **good,
        "name": "bad",
        "actions": [{"type": "set", "field": "priority", "value": "asap"}],
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([good, bad]))
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk.cli", "automation", "import", str(path)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "[1].actions[0].value" in result.stderr
    assert await rules.list_rules() == []
