"""Throughput and latency of raw emails through the HTTP door (POST
/api/channels/email/inbound, message/rfc822) against the real server.

The same harness as bench/contacts.py (a fresh database, an admin's API token, N
keep-alive clients for a bounded time after a warm-up); the bodies are real messages:
new questions from known and new senders, replies threading by In-Reply-To to an
earlier message of the same sender, and one in ten carrying a small PDF attachment.

    python bench/email_in.py --engine postgres          # the issue's target: >= 200 emails/s
    python bench/email_in.py --engine postgres --quick

Loopback only.
"""

from __future__ import annotations

import random
import sys
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.contacts import arguments, run_engine  # noqa: E402

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 16


def email(rng: random.Random, customers: int, serial: int) -> bytes:
    """Message `serial` from one of `customers` senders; about a third answer that
    sender's message `serial - 1`-ish (threaded when it was received)."""
    n = rng.randint(1, customers)
    message = EmailMessage()
    message["From"] = f"Customer {n} <customer{n}@bench.example>"
    message["To"] = "support@desk.example"
    message["Message-ID"] = f"<bench-{serial}@bench.example>"
    if rng.random() < 0.3:
        earlier = f"<bench-{serial - rng.randint(1, 50)}@bench.example>"
        message["In-Reply-To"] = earlier
        message["References"] = earlier
        message["Subject"] = f"Re: Order {serial} did not arrive"
    else:
        message["Subject"] = f"Order {serial} did not arrive"
    message.set_content(
        f"Hello,\n\nmy order {serial} has not arrived yet. Can you help?\n\n-- \nCustomer {n}\n"
    )
    if rng.random() < 0.1:
        message.add_attachment(PDF, maintype="application", subtype="pdf", filename="order.pdf")
    return message.as_bytes()


EMAIL_DOOR = {
    "path": "/api/channels/email/inbound",
    "content_type": "message/rfc822",
    "body": email,
    "ok": ("200", "201"),
}


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0]).parse_args()
    if args.quick:
        args.duration, args.warmup = 5, 2
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    for engine in engines:
        result = run_engine(engine, args, **EMAIL_DOOR)
        result.unit = "email"
        print(result.line(), flush=True)


if __name__ == "__main__":
    main()
