"""A throwaway Dovecot IMAP server (Debian's dovecot-imapd, `make system-deps`) for the
tests: its own configuration, users (a passwd-file), maildirs and logs in a temporary
directory, on a free port of 127.0.0.1, plain-text login. Nothing system-wide changes."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.smtp import free_port

DOVECOT = "/usr/sbin/dovecot"


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
        # The daemon keeps the standard streams it is given: a file, never a pipe we wait on.
        with open(self.root / "startup.log", "wb") as out:
            started = subprocess.run([DOVECOT, "-c", str(self.config)], stdout=out, stderr=out)
        if started.returncode != 0:
            raise RuntimeError((self.root / "startup.log").read_text())
        deadline = time.monotonic() + 15
        while True:
            try:
                self.client().logout()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(self.log()) from None
                time.sleep(0.1)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        subprocess.run(
            [DOVECOT, "-c", str(self.config), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            if not (self.root / "run" / "master.pid").exists():
                break
            time.sleep(0.1)
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
