"""A throwaway Dovecot IMAP server (Debian's dovecot-imapd, `make system-deps`) for the
tests: its own configuration, users (a passwd-file), maildirs and logs in a temporary
directory, on a free port of 127.0.0.1, plain-text login. Nothing system-wide changes.

The server never outlives the test run, however the run ends: it runs in the foreground
(`dovecot -F`) as our child, in a process group of its own (its login, auth and mail
processes with it), and is stopped by Dovecot.stop, else at interpreter exit (atexit: a run
interrupted with Ctrl-C / SIGINT), else on SIGTERM (a handler that stops it, then lets the
signal do what it did before), else by the kernel when the run is killed outright
(PR_SET_PDEATHSIG: the master gets SIGTERM when its parent dies)."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import grp
import imaplib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

from tests.smtp import free_port

DOVECOT = "/usr/sbin/dovecot"
PR_SET_PDEATHSIG = 1

# The servers this process started and has not stopped yet.
_running: set[Dovecot] = set()
_watching = False
_previous_sigterm: Any = signal.SIG_DFL


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends it SIGTERM when its parent dies."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _stop_all() -> None:
    for server in list(_running):
        server.stop()


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Stops the servers, then lets SIGTERM do what it did before (by default: end us)."""
    _stop_all()
    signal.signal(signal.SIGTERM, _previous_sigterm)
    if callable(_previous_sigterm):
        _previous_sigterm(signum, frame)
    else:
        os.kill(os.getpid(), signal.SIGTERM)


def _watch_exits() -> None:
    """Once per process: stop the servers at exit and on SIGTERM."""
    global _watching, _previous_sigterm
    if _watching:
        return
    _watching = True
    atexit.register(_stop_all)
    if threading.current_thread() is threading.main_thread():
        _previous_sigterm = signal.getsignal(signal.SIGTERM) or signal.SIG_DFL
        signal.signal(signal.SIGTERM, _on_sigterm)


def _owner() -> tuple[str, str, int, int]:
    """Who the server's processes run as: the package's users when we are root (Dovecot
    refuses to run logins or mail as root), else ourselves."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("dovecot")
        return "dovenull", "dovecot", mail.pw_uid, mail.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_name, me.pw_uid, grp.getgrgid(os.getegid()).gr_gid


class Dovecot:
    def __init__(self, user: str = "desk", password: str = "desk-secret") -> None:
        # Directly under /tmp: the server's users must reach the passwd-file and maildirs,
        # and pytest's own temporary directories are private to us.
        self.root = Path(tempfile.mkdtemp(prefix="servicedesk-dovecot-"))
        self.user, self.password = user, password
        self.port = free_port()
        self.config = self.root / "dovecot.conf"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{self.password}@127.0.0.1:{self.port}/INBOX"

    def start(self) -> None:
        login_user, internal_user, uid, gid = _owner()
        for name in ("run", "mail", "state"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        os.chown(self.root / "mail", uid, gid)
        self.root.chmod(0o711)  # the server's users read the passwd-file in it
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        self.config.write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {uid}
mail_location = maildir:{self.root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""
        )
        _watch_exits()
        # Its output goes to a file, never a pipe nobody reads.
        with open(self.root / "startup.log", "wb") as out:
            self.process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.config)],
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stopped as one
                preexec_fn=_die_with_parent,
            )
        _running.add(self)
        deadline = time.monotonic() + 15
        while True:
            try:
                self.client().logout()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.root / "startup.log").read_text() + self.log()
                    self.stop()
                    raise RuntimeError(log) from None
                time.sleep(0.1)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        """Stops the master (it stops its processes), kills the group if it lingers, and
        removes the directory. Safe to call twice."""
        _running.discard(self)
        process, self.process = self.process, None
        if process is not None:
            group = process.pid  # start_new_session: the master leads its own group
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)  # any of its processes still running
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(self.user, self.password)
        client.select("INBOX")
        return client

    def deliver(self, raw: bytes) -> None:
        """Puts a message in the inbox, unseen, as a mail server would."""
        client = self.client()
        client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
        client.logout()

    def flags(self) -> list[str]:
        """The flags of every message in the inbox, in order."""
        client = self.client()
        _, data = client.fetch("1:*", "(FLAGS)")
        client.logout()
        return [item.decode() for item in data if isinstance(item, bytes)]
