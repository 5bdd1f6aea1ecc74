"""Huey tasks that deliver the outbox. Tasks are synchronous; they run their async work on
the process's task loop, which holds the connection pool (servicedesk.taskloop)."""

from __future__ import annotations

import asyncio
import collections
import logging
import smtplib
import zlib
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from huey import crontab

from servicedesk import plugins, taskloop
from servicedesk.clock import utcnow
from servicedesk.db import chunks, task_pool
from servicedesk.queue import huey
from servicedesk.settings import get_settings

from . import service
from .mail import MailNotConfigured, MailSession, RecipientRefused, build_message

log = logging.getLogger(__name__)


Failure = (OSError, ValueError, smtplib.SMTPException, MailNotConfigured, plugins.DeliveryFailed)


async def deliver(outbox_id: int, now: datetime | None = None) -> str:
    """Delivers one outbox row if it is due; returns its status afterwards. A given `now`
    holds the clock for the whole delivery, so tests can step through the backoff."""
    return (await deliver_many([outbox_id], now=now)).get(outbox_id, "skipped")


async def deliver_many(outbox_ids: list[int], now: datetime | None = None) -> dict[int, str]:
    """Delivers the due rows among `outbox_ids` (those another worker has are left to it);
    returns the status of each row it handled."""
    async with task_pool():
        return await _deliver_claimed(
            await service.claim_many(outbox_ids=outbox_ids, now=now or utcnow()), now
        )


async def _deliver_claimed(rows: list[dict], now: datetime | None) -> dict[int, str]:
    """The claimed rows of a batch: the domain events to their consumers while the emails
    go out (each waits on its own round trips, to the database and to the SMTP server:
    one after the other, a batch took their sum), then the rows of other kinds."""
    statuses: dict[int, str] = {}
    emails = [row for row in rows if row["kind"] == "email"]
    events = [row for row in rows if row["kind"] == "event"]
    for done in await asyncio.gather(_deliver_events(events, now), _deliver_emails(emails, now)):
        statuses.update(done)
    for row in rows:
        if row["kind"] not in ("email", "event"):
            try:
                await _deliver_row(row)
            except Failure as exc:
                statuses[row["id"]] = await _attempt_failed(row, exc, now)
            else:
                await service.mark_sent(outbox_id=row["id"], now=now or utcnow())
                statuses[row["id"]] = "sent"
    return statuses


async def _deliver_events(rows: list[dict], now: datetime | None) -> dict[int, str]:
    """Hands claimed domain events to the plugins' consumers, a batch at a time to those
    that take batches (automation's rules and webhooks), and marks the delivered ones
    sent in one statement; a row a consumer failed on is put back in line with backoff
    (consumers are idempotent per event id, so the others run again harmlessly)."""
    if not rows:
        return {}
    failures: dict[int, Exception] = {}
    for consume in plugins.event_consumers():
        for row in rows:
            if row["id"] not in failures:
                try:
                    await consume(row)
                except Failure as exc:
                    failures[row["id"]] = exc
    for consume_many in plugins.event_batch_consumers():
        failures.update(await consume_many([row for row in rows if row["id"] not in failures]))
    sent = [row["id"] for row in rows if row["id"] not in failures]
    await service.mark_sent_many(outbox_ids=sent, now=now or utcnow())
    statuses = dict.fromkeys(sent, "sent")
    for row in rows:
        if row["id"] in failures:
            statuses[row["id"]] = await _attempt_failed(row, failures[row["id"]], now)
    return statuses


async def _attempt_failed(row: dict, exc: Exception, now: datetime | None) -> str:
    log.warning(
        "%s %s not delivered (attempt %s): %s", row["kind"], row["id"], row["attempts"], exc
    )
    due = await service.mark_attempt_failed(
        outbox_id=row["id"],
        attempts=row["attempts"],
        error=str(exc) or type(exc).__name__,
        now=now or utcnow(),
    )
    if due is None:
        return "failed"
    # The retry runs when it is due; the minute sweep stays as the safety net (a lost
    # task, a worker restart) and finds nothing left to do when this one ran.
    service.kick(row["id"], at=due)
    return "pending"


async def _deliver_emails(rows: list[dict], now: datetime | None) -> dict[int, str]:
    """Sends claimed email rows over SMTP_CONNECTIONS connections. Marketing rows are checked again
    now (consent withdrawn or an unsubscribe since they were queued cancels them), and so
    are those a plugin checks (plugins.send_checks); an address the server refuses for
    good is a hard bounce, not retried."""
    from servicedesk.customers import service as customers
    from servicedesk.marketing import delivery as marketing

    if not rows:
        return {}
    statuses: dict[int, str] = {}
    blocked = await marketing.send_time_blocks(rows)
    for check in plugins.send_checks():
        blocked.update(await check([row for row in rows if row["id"] not in blocked]))
    for reason in set(blocked.values()):
        ids = [outbox_id for outbox_id, why in blocked.items() if why == reason]
        await service.mark_final(outbox_ids=ids, status="cancelled", error=reason)
        statuses.update(dict.fromkeys(ids, "cancelled"))
    lanes: dict[int, list[dict]] = {}
    count = get_settings().smtp_connections
    for row in rows:
        if row["id"] not in blocked:
            # By recipient: one address's emails keep their order, on one connection.
            lanes.setdefault(zlib.crc32(row["to_address"].lower().encode()) % count, []).append(row)
    for sent in await asyncio.gather(
        *(_send_over_one_connection(lane, now, customers) for lane in lanes.values())
    ):
        statuses.update(sent)
    return statuses


async def _send_over_one_connection(
    rows: list[dict], now: datetime | None, customers: Any
) -> dict[int, str]:
    """Sends rows one after another over one SMTP connection (a lane of _deliver_emails:
    each message waits on several round trips to the server and two to the database, so
    a batch goes over SMTP_CONNECTIONS connections at once). The connection talks from a
    thread of its own: on the loop's shared threads (six on two cores) a lane could mark
    a message handed over and then wait for a thread while the others wait on replies,
    and a worker killed then would leave "unknown" a message never sent."""
    statuses = {}
    session = MailSession()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp") as thread:
        loop = asyncio.get_running_loop()

        def on_thread(call: Callable[..., None], *args: Any) -> Awaitable[None]:
            return loop.run_in_executor(thread, call, *args)

        try:
            for row in rows:
                statuses[row["id"]] = await _send_email(session, on_thread, row, now, customers)
        finally:
            # QUIT off the loop: the worker's other tasks share it (servicedesk.taskloop).
            await on_thread(session.close)
    return statuses


async def _send_email(
    session: MailSession,
    on_thread: Callable[..., Awaitable[None]],
    row: dict,
    now: datetime | None,
    customers: Any,
) -> str:
    handed_over = False
    try:
        # Built inside the try: a header that cannot be built must count as a failed
        # attempt, or the row would stay "sending" and be claimed again forever.
        message = build_message(row)
        await on_thread(session.prepare, message)
        await service.mark_handed_over(outbox_id=row["id"], now=now or utcnow())
        handed_over = True
        await on_thread(session.hand_over, message)
    except RecipientRefused as exc:
        await service.mark_final(outbox_ids=[row["id"]], status="bounced", error=str(exc))
        customer_id = (row.get("payload") or {}).get("customer_id")
        if customer_id is not None:
            await customers.mark_email_bounced(customer_ids=[customer_id])
        return "bounced"
    except (OSError, smtplib.SMTPServerDisconnected) as exc:
        if handed_over:
            # The connection dropped after the content went out: the server may have it.
            await service.mark_unknown(outbox_id=row["id"], error=str(exc) or type(exc).__name__)
            return "unknown"
        return await _attempt_failed(row, exc, now)
    except Failure as exc:  # a reply the server gave: nothing was accepted
        if handed_over:
            await service.clear_handed_over(outbox_id=row["id"])
        return await _attempt_failed(row, exc, now)
    await service.mark_sent(outbox_id=row["id"], now=now or utcnow())
    return "sent"


async def _deliver_row(row: dict) -> None:
    """Hands one claimed row of a kind besides email and events (a channel reply, a
    plugin's webhook post) to its deliverer."""
    kind = row["kind"]
    deliver_kind = _core_deliverer(kind) or plugins.deliverer(kind)
    if deliver_kind is None:
        raise plugins.DeliveryFailed(f"no deliverer for outbox rows of kind {kind!r}")
    await deliver_kind(row)


def _core_deliverer(kind: str) -> plugins.Deliverer | None:
    """The desk's own kinds besides email: "channel", agents' replies posted to a chat or
    social integration (servicedesk.channels.replies; imported here, not at the top, as
    the channels import the tickets, which import this package)."""
    if kind == "channel":
        from servicedesk.channels.replies import deliver_reply

        return deliver_reply
    return None


async def deliver_due(now: datetime | None = None) -> dict[str, int]:
    """Delivers every due row, a page at a time (a segment's NPS emails may be thousands);
    the periodic sweep and tests call this. A row that fails is due again only later."""
    await service.release_stale_claims(now=now or utcnow())
    return await _deliver_pages(now)


class _RecentIds:
    """The last `size` ids added (a set with the oldest forgotten first)."""

    def __init__(self, size: int) -> None:
        self._order: collections.deque[int] = collections.deque()
        self._ids: set[int] = set()
        self._size = size

    def add(self, ids: Iterable[int]) -> None:
        for new in ids:
            if new not in self._ids:
                self._ids.add(new)
                self._order.append(new)
        while len(self._order) > self._size:
            self._ids.discard(self._order.popleft())

    def __contains__(self, outbox_id: object) -> bool:
        return outbox_id in self._ids


# The rows this process sent while paging (sent for good: only failed and unknown rows
# can be re-sent and kicked again): the tasks queued for them (a backlog of thousands
# after a worker starts) then end without a query instead of each claiming nothing, so
# the work queued behind them does not wait on those claims.
_paged = _RecentIds(100_000)


async def _deliver_pages(now: datetime | None) -> dict[str, int]:
    counts: dict[str, int] = {}
    last = 0
    size = get_settings().smtp_batch_size
    while page := await service.due_ids(now=now or utcnow(), after=last, limit=size):
        statuses = await deliver_many(page, now=now)
        _paged.add(outbox_id for outbox_id, status in statuses.items() if status == "sent")
        for outbox_id in page:
            status = statuses.get(outbox_id, "skipped")
            counts[status] = counts.get(status, 0) + 1
        last = page[-1]
    return counts


@huey.task()
def deliver_outbox_message(outbox_id: int) -> None:
    # Returns nothing on purpose: huey keeps every non-None result in its store until it is
    # read, and nobody reads these, so one entry per email would pile up forever.
    taskloop.run(deliver(outbox_id))


@huey.task()
def deliver_outbox_messages(outbox_ids: list[int]) -> None:
    """The rows the kicker gathered from one or more changes, in one task (returns nothing,
    as above); then the other due rows, a page at a time. Under a backlog (a worker
    starting on what was written while none ran, a burst faster than it keeps up with)
    the rows then go in batches of a page, not of the few rows each change kicked: the
    rules and the claims cost per batch, and the tasks queued for those rows find them
    taken (one statement each, and no paging). When there is no backlog this costs one
    query."""

    async def deliver_in_batches() -> None:
        delivered = {}
        left = [outbox_id for outbox_id in outbox_ids if outbox_id not in _paged]
        for batch in chunks(left, get_settings().smtp_batch_size):
            delivered.update(await deliver_many(list(batch)))
        if delivered:  # none: another task took these rows, and pages on itself
            await _deliver_pages(None)

    taskloop.run(deliver_in_batches())


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> dict[str, int]:
    return taskloop.run(deliver_due())
