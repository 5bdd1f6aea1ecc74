"""`servicedesk import FILE`: a JSON Lines history through the importer, with progress."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from servicedesk.commands import console, run


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the good lines; write the bad ones to a reject file.",
)
@click.option("--reject-file", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes replaying the tickets (PostgreSQL; default: one per CPU). SQLite uses 1.",
)
def import_(path: Path, skip_invalid: bool, reject_file: Path | None, workers: int | None) -> None:
    """Import a JSON Lines history file (docs/import-format.md)."""
    import os

    from rich.progress import BarColumn, Progress, TextColumn

    from servicedesk.imports.service import import_file

    reject = reject_file or path.with_suffix(".rejected.jsonl")
    total = sum(1 for _ in path.open("rb"))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} lines"),
        console=console,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("importing (people, then history)", total=total * 2)
        seen = [0]

        def progress(_line: int) -> None:
            seen[0] += 1
            bar.update(task, completed=seen[0])

        report = run(
            lambda: import_file(
                path,
                skip_invalid=skip_invalid,
                reject_path=reject if skip_invalid else None,
                progress=progress,
                workers=workers or os.cpu_count() or 1,
            )
        )
    for rejected in report.rejected:
        console.print(f"line {rejected['line']}: {rejected['reason']}")
    click.echo(json.dumps(report.as_dict() | {"rejected": len(report.rejected)}, indent=1))
    if report.rejected:
        if skip_invalid:
            console.print(f"{len(report.rejected)} line(s) rejected, written to {reject}")
        else:
            console.print(
                f"{len(report.rejected)} bad line(s); nothing was imported (use --skip-invalid to import the rest)"
            )
        sys.exit(1)
