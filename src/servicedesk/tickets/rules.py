"""The rules of a ticket that need no database: the channels, statuses and priorities
(listed once here; the API schemas use the same Literal types), the status machine, what
an inbound message or a first public reply does to the status, and clean input."""

from __future__ import annotations

from typing import Literal, get_args

import nh3

from servicedesk.errors import Conflict, Invalid

Channel = Literal["email", "web", "chat", "phone", "social", "in_person", "api"]
Status = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
CHANNELS: tuple[str, ...] = get_args(Channel)
STATUSES: tuple[str, ...] = get_args(Status)
PRIORITIES: tuple[str, ...] = get_args(Priority)
WORKING: tuple[str, ...] = ("new", "open", "pending", "on_hold")
# From each status, where a ticket may go. Closed is terminal: a new contact about a
# closed ticket opens a follow-up ticket instead.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("open", "pending", "on_hold", "solved"),
    "open": ("pending", "on_hold", "solved"),
    "pending": ("open", "on_hold", "solved"),
    "on_hold": ("open", "pending", "solved"),
    "solved": ("new", "open", "pending", "on_hold", "closed"),
    "closed": (),
}


def sanitize_html(html: str | None) -> str | None:
    """Customer HTML is kept only after nh3 strips scripts, handlers and unsafe URLs."""
    return None if html is None else nh3.clean(html)


def status_after_inbound(status: str) -> str | None:
    """A customer message hands the ticket back to the agents: a solved ticket is reopened,
    a pending or on-hold one is open again. None: the status stays."""
    return "open" if status in ("solved", "pending", "on_hold") else None


def status_after_public_reply(status: str) -> str | None:
    """An agent's first public answer starts the work on a new ticket."""
    return "open" if status == "new" else None


def check_choice(value: str, choices: tuple[str, ...], field: str) -> None:
    if value not in choices:
        raise Invalid(f"{field} must be one of {', '.join(choices)}; got {value!r}", field=field)


def check_transition(old: str, new: str) -> None:
    """Refuses a status change the machine does not allow, saying why."""
    check_choice(new, STATUSES, "status")
    if new in TRANSITIONS[old]:
        return
    if old == "closed":
        raise Conflict(
            "the ticket is closed; closed tickets cannot change (a new contact opens a follow-up)"
        )
    if new == "closed":
        raise Conflict(f"only solved tickets can be closed; this one is {old}")
    if new == "new":
        raise Conflict("only a solved ticket can be reopened as new")
    raise Conflict(f"a ticket cannot go from {old} to {new}")


def clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = tag.strip().lower()
        if not tag or len(tag) > 100:
            raise Invalid("tags are 1 to 100 characters", field="tags")
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned
