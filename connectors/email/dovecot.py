"""A private Dovecot IMAP server: for the e-mail channel's tests and the demo mailbox of
``./svar run``; never for production mail.

``DovecotServer`` starts Debian's ``dovecot`` binary in the foreground with a private
configuration in a temporary directory: its own base_dir, a passwd-file with one user, Maildir
storage, plain-text login allowed on 127.0.0.1 only. Nothing of the machine's own Dovecot
configuration is read, and no root is needed (as root, its processes run as Debian's
``dovecot`` user: Dovecot refuses to serve mail as root).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from imap_tools import MailBox, MailBoxUnencrypted

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "kundeservice@skat.example"
PASSWORD = "svar-test-mailbox"
START_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dovecot_available() -> bool:
    return Path(DOVECOT).exists()


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = svar-test-{port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login{oauth_mechanisms}
log_path = {root}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    auto = subscribe
    special_use = \\Sent
  }}
  mailbox Archive {{
    auto = subscribe
  }}
}}
{oauth}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
  user = {user}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
  unix_listener stats-reader {{
    user = {user}
  }}
  unix_listener stats-writer {{
    user = {user}
  }}
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
service log {{
  chroot =
}}
service config {{
  chroot =
}}
"""

# XOAUTH2 logins: Dovecot's oauth2 passdb asks an RFC 7662 introspection endpoint (the
# simulator's mail provider) about every token, so an expired or unknown token is refused.
# auth_failure_delay 0: a refused token answers at once instead of after Dovecot's 2 s.
OAUTH_CONFIG = """\
auth_failure_delay = 0
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf.ext
}}
"""
OAUTH_PASSDB = """\
introspection_mode = post
introspection_url = {url}
username_attribute = username
active_attribute = active
active_value = true
"""


class DovecotServer:
    """A private Dovecot on 127.0.0.1, one mailbox (``USER`` / ``PASSWORD``)."""

    def __init__(self, port: int | None = None, *, introspection_url: str = "") -> None:
        """``introspection_url``: also accept XOAUTH2 tokens that endpoint says are active."""
        self.root = Path(tempfile.mkdtemp(prefix="svar-dovecot-"))
        self.port = port or free_port()
        self.introspection_url = introspection_url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> DovecotServer:
        uid, gid = _unprivileged()
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir()
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        oauth = ""
        if self.introspection_url:
            oauth = OAUTH_CONFIG.format(root=self.root)
            (self.root / "oauth2.conf.ext").write_text(
                OAUTH_PASSDB.format(url=self.introspection_url)
            )
        if os.getuid() == 0:  # Dovecot runs nothing as root but its master: hand the tree over
            for path in (self.root, *self.root.rglob("*")):
                os.chown(path, uid, gid)
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                uid=uid,
                gid=gid,
                user=pwd.getpwuid(uid).pw_name,
                group=grp.getgrgid(gid).gr_name,
                oauth=oauth,
                oauth_mechanisms=" xoauth2 oauthbearer" if oauth else "",
            )  # fmt: skip
        )
        os.chmod(self.root, 0o755)
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "stderr.log").open("wb"),
        )
        self._wait()
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.logs()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.logs()}")

    def logs(self) -> str:
        parts = [p.read_text(errors="replace") for p in
                 (self.root / "stderr.log", self.root / "dovecot.log") if p.exists()]  # fmt: skip
        return "\n".join(parts)[-4000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def mailbox(self) -> MailBox:
        return MailBoxUnencrypted("127.0.0.1", self.port).login(USER, PASSWORD)

    def deliver(self, *messages: bytes | EmailMessage, folder: str = "INBOX") -> None:
        """Put messages into a folder as a delivery agent would (IMAP APPEND)."""
        with self.mailbox() as box:
            for message in messages:
                raw = message if isinstance(message, bytes) else message.as_bytes()
                box.append(raw, folder, flag_set=())

    def folder_messages(self, folder: str) -> list[EmailMessage]:
        with self.mailbox() as box:
            box.folder.set(folder)
            return [
                message_from_bytes(m.obj.as_bytes(), policy=policy.default)  # type: ignore[misc]
                for m in box.fetch(mark_seen=False)
            ]

    def uidvalidity_reset(self) -> None:
        """Renumber the mailbox (a new UIDVALIDITY), as a restored or migrated server does:
        with its uid list and indexes gone, Dovecot numbers the Maildir afresh on next open."""
        maildir = self.root / "mail" / USER
        for path in (maildir / "dovecot-uidlist", *maildir.glob("dovecot.index*")):
            path.unlink(missing_ok=True)


def _unprivileged() -> tuple[int, int]:
    """Whom Dovecot's processes run as: ourselves, or (as root, in CI) Debian's ``dovecot``
    user (or ``nobody``): Dovecot refuses to log in or read mail as root."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    for name in ("dovecot", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    raise RuntimeError("no unprivileged user to run Dovecot as")
