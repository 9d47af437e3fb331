"""The one way mail leaves the service.

`MAIL_BACKEND` chooses where it goes: `smtp` (production), `outbox` (development: written to
the log and to files in instance/outbox, which admins can read at /admin/outbox) or `memory`
(tests: kept in `sent` for assertions). A failure to send is logged and reported to the caller,
never raised into the request: what the user did is kept, and the page says the mail failed.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app, render_template

from app.clock import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    sent_at: datetime


class Backend(Protocol):
    def send(self, mail: Mail) -> None: ...


class SmtpBackend:
    def __init__(self, config: dict[str, Any]) -> None:
        self.host = config["MAIL_SERVER"]
        self.port = config["MAIL_PORT"]
        self.use_tls = config["MAIL_USE_TLS"]
        self.username = config["MAIL_USERNAME"]
        self.password = config["MAIL_PASSWORD"]
        self.sender = config["MAIL_SENDER"]

    def send(self, mail: Mail) -> None:
        message = _email_message(mail, self.sender)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class OutboxBackend:
    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, mail: Mail) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = mail.sent_at.strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}.eml"
        path.write_bytes(bytes(_email_message(mail, self.sender)))
        log.info("Mail to %s: %s\n%s", mail.to, mail.subject, mail.body)

    def messages(self) -> list[Mail]:
        """Newest first."""
        from email import message_from_bytes, policy
        from email.utils import parsedate_to_datetime

        found = []
        for path in sorted(self.folder.glob("*.eml"), reverse=True):
            parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
            found.append(
                Mail(
                    to=str(parsed["To"]),
                    subject=str(parsed["Subject"]),
                    body=parsed.get_content(),
                    sent_at=parsedate_to_datetime(str(parsed["Date"])),
                )
            )
        return found


class MemoryBackend:
    def __init__(self) -> None:
        self.sent: list[Mail] = []

    def send(self, mail: Mail) -> None:
        self.sent.append(mail)


def _email_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.sent_at)
    message["Message-ID"] = make_msgid(domain="digital-apprenticeships.local")
    message.set_content(mail.body)
    return message


def backend() -> Backend:
    return current_app.extensions["mail"]


def send_mail(to: str, subject: str, template: str, **context: Any) -> bool:
    """Send a plain-text mail written in templates/mail/<template>.txt. True if it went."""
    body = render_template(f"mail/{template}.txt", **context)
    try:
        backend().send(Mail(to=to, subject=subject, body=body, sent_at=utcnow()))
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send mail %r", template)
        return False
    return True


def init_app(app: Flask) -> None:
    kind = app.config["MAIL_BACKEND"]
    if kind == "smtp":
        app.extensions["mail"] = SmtpBackend(app.config)
    elif kind == "outbox":
        folder = Path(app.instance_path) / "outbox"
        app.extensions["mail"] = OutboxBackend(folder, app.config["MAIL_SENDER"])
    elif kind == "memory":
        app.extensions["mail"] = MemoryBackend()
    else:
        raise RuntimeError(f"MAIL_BACKEND must be smtp, outbox or memory, not {kind!r}")
