"""`servicedesk automation ...`: the commands of the automation plugin."""

from __future__ import annotations

import click

from .rules.cli import export_command, import_command, tick_command


@click.group()
def automation() -> None:
    """Automation rules: time-rule passes, rules as files."""


automation.add_command(tick_command)
automation.add_command(export_command)
automation.add_command(import_command)
