"""The `servicedesk` command: serve, worker, migrate, openapi, demo, token, user; the
domains' commands (import, report, mail, campaign) and the plugins' join the group here."""

from __future__ import annotations

import json
import subprocess
import sys

import click

from servicedesk.channels.cli import mail
from servicedesk.commands import console, fail, run  # plugins' commands call cli.run too
from servicedesk.cx.cli import report
from servicedesk.imports.cli import import_
from servicedesk.marketing.cli import campaign
from servicedesk.outbox.cli import outbox


@click.group()
def main() -> None:
    """Self-hostable service desk with honest CX scoring."""


@main.command()
def migrate() -> None:
    """Apply the database migrations."""
    result = subprocess.run(
        [sys.executable, "-m", "piccolo.main", "migrations", "forwards", "all"],
        env={**__import__("os").environ, "PICCOLO_CONF": "servicedesk.piccolo_conf"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        fail(result.stdout + result.stderr)
    console.print("migrations applied")


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--workers", default=1, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Run the HTTP server (API and web UI)."""
    import uvicorn

    uvicorn.run(
        "servicedesk.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


@main.command()
@click.option("--workers", default=2, type=int)
def worker(workers: int) -> None:
    """Run the huey consumer: outbox delivery and periodic jobs."""
    import importlib

    from huey.consumer import Consumer

    import servicedesk.tasks  # noqa: F401  (registers the tasks)
    from servicedesk.plugins import plugins
    from servicedesk.queue import huey

    for plugin in plugins():
        for module in plugin.task_modules:
            importlib.import_module(module)

    Consumer(huey, workers=workers, worker_type="thread", periodic=True).run()


@main.command("openapi")
def openapi() -> None:
    """Print the OpenAPI schema (the frontend generates its API types from it)."""
    from servicedesk.app import create_app

    click.echo(json.dumps(create_app().openapi_schema.to_schema(), indent=1, sort_keys=True))


@main.group()
def token() -> None:
    """API tokens for integrations."""


@token.command("create")
@click.option("--agent", "email", required=True, help="Email of the agent the token acts as.")
@click.option("--name", default="", help="What the token is for.")
def token_create(email: str, name: str) -> None:
    """Create an API token and print it (it is not shown again)."""
    from servicedesk.accounts import service

    async def create() -> str | None:
        agent = await service.find_agent_by_email(email=email)
        return await service.create_api_token(agent_id=agent["id"], name=name) if agent else None

    created = run(create)
    if created is None:
        fail(f"no agent with email {email}")
    click.echo(created)


@main.group()
def user() -> None:
    """Agent accounts."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["agent", "lead", "admin"]), default="agent")
@click.option("--name", default="")
@click.option("--team", default=None)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from stdin instead of a prompt."
)
def user_create(email: str, role: str, name: str, team: str | None, password_stdin: bool) -> None:
    """Create an agent with a password (prompted, or read from stdin)."""
    from servicedesk.accounts import service
    from servicedesk.errors import DomainError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        fail("the password needs at least 8 characters")
    try:
        agent_id = run(
            lambda: service.create_agent(
                email=email, name=name, role=role, team=team, password=password
            )
        )
    except DomainError as exc:
        fail(exc.detail)
        return
    click.echo(f"created {role} {email} (id {agent_id})")


@main.command()
@click.option("--customers", default=300, type=int)
@click.option("--tickets", default=2000, type=int)
@click.option("--seed", default=7, type=int)
def demo(customers: int, tickets: int, seed: int) -> None:
    """Migrate and load realistic demo data (idempotent: does nothing if agents exist)."""
    from servicedesk.demo import load_demo

    ctx = click.get_current_context()
    ctx.invoke(migrate)
    summary = run(lambda: load_demo(customers=customers, tickets=tickets, seed=seed))
    click.echo(summary)


for command in (import_, report, mail, campaign, outbox):
    main.add_command(command)


def _add_plugin_commands() -> None:
    from servicedesk.plugins import plugins

    for plugin in plugins():
        for command in plugin.cli_commands:
            main.add_command(command)


_add_plugin_commands()

if __name__ == "__main__":
    main()
