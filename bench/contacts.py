"""Throughput and latency of POST /api/contacts against the real server.

Starts `servicedesk serve` as a subprocess on a fresh database (a SQLite file in a temp
dir, or the PostgreSQL database `bench`, dropped and recreated), creates an agent and an
API token through the CLI, then runs N concurrent keep-alive clients posting inbound contacts
(varied customers and channels) for a bounded time after a short warm-up.

    python bench/contacts.py                      # both engines, 32 clients, 20 s each
    python bench/contacts.py --engine postgres --duration 10 --workers 2
    python bench/contacts.py --quick              # 5 s per engine, 2 s warm-up

Loopback only. The client runs on the same machine as the server and the database, so it
takes CPU from them: its own CPU time is printed next to the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# Run as `python bench/contacts.py`: the repository root is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.contact_load import Connection, contact  # noqa: E402
from tests.processes import stop_process  # noqa: E402
from tests.servers import start_server, wait_until_up  # noqa: E402
from tests.smtp import free_port  # noqa: E402

PG_ADMIN = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
PG_URL = "postgres://postgres@127.0.0.1:5432/bench"
REDIS_URL = "redis://127.0.0.1:6379/11"
AGENT_EMAIL = "bench-agent@desk.example"
AGENT_PASSWORD = "bench-password-123"


def servicedesk_bin() -> str:
    found = Path(sys.executable).with_name("servicedesk")
    return str(found) if found.exists() else "servicedesk"


def fresh_postgres(database: str) -> None:
    subprocess.run(["dropdb", *PG_ADMIN, "--if-exists", database], check=True)
    subprocess.run(["createdb", *PG_ADMIN, database], check=True)


def flush_redis_queue(url: str) -> None:
    """Empties the huey queue the benchmark filled (its own Redis db, its own queue name)."""
    from huey import RedisHuey

    RedisHuey("servicedesk", url=url).flush()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its reaped children (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_pids(pid: int) -> list[int]:
    """A process and its live descendants (uvicorn's worker processes)."""
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            pids.append(int(child))
            frontier.append(int(child))
    return pids


def tree_cpu(pid: int) -> float:
    return sum(cpu_seconds(p) for p in tree_pids(pid))


def postgres_cpu() -> float:
    """CPU of every `postgres` process (the server runs on this machine)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


@dataclass
class Result:
    engine: str
    workers: int
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    postgres_cpu: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    def add(self, earlier: Result | None) -> Result:
        """This window and an earlier one of the same server, as one result."""
        if earlier is None:
            return self
        self.seconds += earlier.seconds
        self.latencies += earlier.latencies
        for outcome, count in earlier.errors.items():
            self.errors[outcome] = self.errors.get(outcome, 0) + count
        self.client_cpu += earlier.client_cpu
        self.server_cpu += earlier.server_cpu
        self.postgres_cpu += earlier.postgres_cpu
        self.load_before = earlier.load_before
        return self

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def cpu_per_item(self) -> float:
        """ms of CPU of the server and PostgreSQL per contact (or peer ticket)."""
        return 1000 * (self.server_cpu + self.postgres_cpu) / max(1, len(self.latencies))

    def line(self) -> str:
        done = len(self.latencies)
        rate = done / self.seconds
        errors = sum(self.errors.values())

        def cpu(seconds: float) -> str:
            per = f", {1000 * seconds / done:.1f} ms/contact" if done else ""
            return f"{seconds / self.seconds:.0%} of a core{per}"

        usage = f"CPU: client {cpu(self.client_cpu)}; server {cpu(self.server_cpu)}"
        if self.engine in ("postgres", "peer"):
            usage += f"; postgres {cpu(self.postgres_cpu)}"
        return (
            f"{self.engine:8} workers={self.workers} clients={self.clients}: "
            f"{rate:7.1f} contacts/s  p50 {self.quantile(0.5):6.1f} ms  "
            f"p99 {self.quantile(0.99):6.1f} ms  ({done} ok, {errors} errors"
            f"{' ' + str(self.errors) if errors else ''})\n    {usage}\n"
            f"    1-min load average before/after: {self.load_before:.1f}/{self.load_after:.1f}"
            " (on 2 cores, anything above ~2 means other work competed with the benchmark)"
        )


def peer_ticket(rng: random.Random, customers: int, serial: int) -> dict[str, Any]:
    """The same contact in django-helpdesk's shape (its API makes one ticket per request,
    with the submitter's email; /work/shared/peer/contact.lua sends the same)."""
    return {
        "queue": 1,
        "title": f"Order {serial} did not arrive",
        "description": f"Hello, my order {serial} has not arrived yet. Can you help?",
        "submitter_email": f"customer{rng.randint(1, customers)}@bench.example",
        "priority": 3,
    }


def json_body(shape: Any) -> Any:
    """A body function that sends `shape(rng, customers, serial)` as JSON."""

    def body(rng: random.Random, customers: int, serial: int) -> bytes:
        return json.dumps(shape(rng, customers, serial)).encode()

    return body


@dataclass(frozen=True)
class Target:
    """Where the clients post, as which content type, the body of request `serial`
    (bytes), and the statuses that count as done."""

    base_url: str
    authorization: str
    path: str = "/api/contacts"
    content_type: str = "application/json"
    body: Any = json_body(contact)
    ok: tuple[str, ...] = ("201",)


async def load(
    target: Target, clients: int, duration: float, customers: int, seed: int = 0
) -> tuple[list[float], dict[str, int]]:
    """Runs the clients (one keep-alive connection each) for `duration` seconds; returns the
    latencies of the requests that completed in that window, and the failures by status
    code or exception."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    stop_at = time.perf_counter() + duration
    parsed = urlparse(target.base_url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80

    async def one_client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        serial = seed * 100_000_000 + index * 1_000_000
        connection = Connection(host, port, target.authorization, target.path, target.content_type)
        try:
            while True:
                began = time.perf_counter()
                if began >= stop_at:
                    return
                serial += 1
                body = target.body(rng, customers, serial)
                try:
                    outcome = str(await connection.post(body))
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    outcome = type(exc).__name__
                    await connection.close()
                ended = time.perf_counter()
                if ended <= stop_at:
                    if outcome in target.ok:
                        latencies.append(ended - began)
                    else:
                        errors[outcome] = errors.get(outcome, 0) + 1
        finally:
            await connection.close()

    await asyncio.gather(*(one_client(i) for i in range(clients)))
    return latencies, errors


def run_async(work: Any) -> Any:
    """Runs the load on uvloop when it is installed (uvicorn[standard] brings it): the
    client's CPU is taken from the server's cores."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(work)


def cli(env: dict[str, str], cwd: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [servicedesk_bin(), *args],
        env=env,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"servicedesk {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def profile(pid: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """py-spy (a dev tool, not a dependency) sampling the server for the measured window."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--subprocesses",
            "--format",
            "raw",
            "--output",
            args.py_spy,
            "--duration",
            str(int(args.duration)),
            "--pid",
            str(pid),
        ],
        stdout=subprocess.DEVNULL,
    )


def measure(
    label: str,
    target: Target,
    server: subprocess.Popen[bytes],
    args: argparse.Namespace,
    duration: float | None = None,
    warmup: float | None = None,
    seed: int = 2,
) -> Result:
    """A warm-up, then the measured window: latencies, errors and the CPU of the client,
    the server's process tree and every PostgreSQL process."""
    duration = args.duration if duration is None else duration
    warmup = args.warmup if warmup is None else warmup
    if warmup:
        run_async(load(target, args.clients, warmup, args.customers, seed=1000 + seed))
    load_before = os.getloadavg()[0]
    server_before, pg_before = tree_cpu(server.pid), postgres_cpu()
    client_before = time.process_time()
    profiler = profile(server.pid, args) if args.py_spy and label != "peer" else None
    latencies, errors = run_async(load(target, args.clients, duration, args.customers, seed=seed))
    result = Result(label, args.workers, args.clients, duration, latencies, errors)
    result.load_before, result.load_after = load_before, os.getloadavg()[0]
    result.client_cpu = time.process_time() - client_before
    result.server_cpu = tree_cpu(server.pid) - server_before
    result.postgres_cpu = postgres_cpu() - pg_before
    if profiler:
        profiler.wait()
    return result


@contextlib.contextmanager
def serve_peer(args: argparse.Namespace) -> Iterator[tuple[subprocess.Popen[bytes], Target]]:
    """django-helpdesk (set up by /work/shared/peer/setup.sh in --peer-home, on the
    PostgreSQL database --peer-database) under gunicorn with 2 sync workers, as its docs
    recommend for 2 cores, posting the same tickets through its API."""
    home = Path(args.peer_home).expanduser()
    token = (home / "token").read_text().strip()
    env = {
        **os.environ,
        "PEER_DB": "postgres",
        "PEER_PGDB": args.peer_database,
        "PEER_PGUSER": "postgres",
        "PEER_PGHOST": "127.0.0.1",
        "PEER_HOME": str(home),
        "PYTHONPATH": str(home),
        "DJANGO_SETTINGS_MODULE": "settings",
    }
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(home / ".venv/bin/gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "wsgi:application",
        ],
        env=env,
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Any answer will do: its ticket list is not paged, and grows with every run.
        wait_until_up(base_url, server, timeout=120, path="/", any_answer=True)
        yield (
            server,
            Target(base_url, f"Token {token}", "/api/tickets/", body=json_body(peer_ticket)),
        )
    finally:
        stop_process(server, timeout=15)


@contextlib.contextmanager
def serve(
    engine: str, args: argparse.Namespace
) -> Iterator[tuple[subprocess.Popen[bytes], Target]]:
    """`servicedesk serve` on a fresh database of `engine`, with an admin's API token."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-contacts-{engine}-"))
    queue = args.queue or ("redis" if engine == "postgres" else "sqlite")
    env = {
        **os.environ,
        "SECRET_KEY": "bench-secret-key",
        "SMTP_URL": "",
        "QUEUE_URL": REDIS_URL if queue == "redis" else f"sqlite:///{workdir}/queue.db",
    }
    if engine == "postgres":
        fresh_postgres(args.pg_database)
        env["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + args.pg_database
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir}/bench.db"
    if queue == "redis":
        flush_redis_queue(REDIS_URL)
    cli(env, workdir, "migrate")
    cli(
        env,
        workdir,
        "user",
        "create",
        AGENT_EMAIL,
        "--role",
        "admin",
        "--name",
        "Bench",
        "--password-stdin",
        stdin=AGENT_PASSWORD + "\n",
    )
    token = cli(env, workdir, "token", "create", "--agent", AGENT_EMAIL, "--name", "bench")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = start_server(port=port, env=env, workers=args.workers, cwd=workdir)
    try:
        wait_until_up(base_url, server)
        yield server, Target(base_url, f"Bearer {token}")
    finally:
        stop_process(server, timeout=15)
        if queue == "redis":
            flush_redis_queue(REDIS_URL)
        shutil.rmtree(workdir, ignore_errors=True)


def run_engine(engine: str, args: argparse.Namespace, **door: Any) -> Result:
    """Serves on `engine` and measures posts to /api/contacts, or to the door that `door`
    names (Target's path, content_type, body, ok)."""
    with serve(engine, args) as (server, target):
        return measure(engine, dataclasses.replace(target, **door), server, args)


def run_with_peer(args: argparse.Namespace) -> tuple[Result, Result]:
    """This project on PostgreSQL and the peer, both serving at once, measured in turns
    (--rounds windows each, alternating): a change in the machine's other load then hits
    both sides alike, and the ratio compares like with like."""
    window = args.duration / args.rounds
    with serve("postgres", args) as (server, target), serve_peer(args) as (peer, peer_target):
        ours = theirs = None
        for n in range(args.rounds):
            warmup = args.warmup if n == 0 else 0
            ours = measure("postgres", target, server, args, window, warmup, seed=2 + n).add(ours)
            theirs = measure("peer", peer_target, peer, args, window, warmup, seed=2 + n).add(
                theirs
            )
    assert ours is not None and theirs is not None
    theirs.workers = 2
    return ours, theirs


def arguments(description: str) -> argparse.ArgumentParser:
    """The options of this benchmark, shared by the others that post to the server."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (32)")
    parser.add_argument("--duration", type=float, default=20, help="measured seconds (20)")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up seconds (3)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn worker processes (1: measured best on the 2-core reference machine,"
        " where the client and PostgreSQL share the cores)",
    )
    parser.add_argument("--customers", type=int, default=5000, help="distinct senders (5000)")
    parser.add_argument("--queue", choices=["sqlite", "redis"], default=None)
    parser.add_argument("--pg-database", default="bench")
    parser.add_argument(
        "--peer",
        action="store_true",
        help="also run django-helpdesk (PostgreSQL) in the same run and print the ratio",
    )
    parser.add_argument("--peer-home", default="~/.cache/django-helpdesk-peer")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="with --peer: alternating windows per side (4), --duration in all per side",
    )
    parser.add_argument("--peer-database", default="peer")
    parser.add_argument(
        "--py-spy", metavar="FILE", help="profile the server with py-spy (raw folded stacks)"
    )
    parser.add_argument("--quick", action="store_true", help="5 s runs, 2 s warm-up")
    return parser


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0]).parse_args()
    if args.quick:
        args.duration, args.warmup = 5, 2
    if args.peer:
        ours, peer = run_with_peer(args)
        print(ours.line(), flush=True)
        print(peer.line(), flush=True)
        print(
            f"ratio (same run): {ours.rate / peer.rate:.1f}x the peer's tickets/s;"
            f" CPU per contact, server + PostgreSQL: {ours.cpu_per_item:.2f} ms here,"
            f" {peer.cpu_per_item:.2f} ms for the peer",
            flush=True,
        )
        return
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    for engine in engines:
        print(run_engine(engine, args).line(), flush=True)


if __name__ == "__main__":
    main()
