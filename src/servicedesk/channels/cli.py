"""`servicedesk mail listen|poll`: email in over SMTP/LMTP and IMAP."""

from __future__ import annotations

import click

from servicedesk.commands import console, run


@click.group()
def mail() -> None:
    """Email in: the SMTP/LMTP listener and the IMAP poller (docs/channels.md)."""


@mail.command("listen")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=2525, type=int)
@click.option("--lmtp", is_flag=True, help="Speak LMTP instead of SMTP.")
def mail_listen(host: str, port: int, lmtp: bool) -> None:
    """Accept mail for INBOUND_ADDRESSES over SMTP (or LMTP) and put it on tickets."""
    from servicedesk.channels.smtp import listen

    run(lambda: listen(host=host, port=port, lmtp=lmtp))


@mail.command("poll")
@click.option("--once", is_flag=True, help="One pass over the mailboxes, then exit.")
def mail_poll(once: bool) -> None:
    """Fetch unseen mail from IMAP_MAILBOXES (IDLE where offered) and put it on tickets."""
    from servicedesk.channels.imap import poll

    count = run(lambda: poll(once=once))
    console.print(f"{count} messages received")
