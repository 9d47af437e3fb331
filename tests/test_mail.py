"""The mail sender: one way out, three places it can go."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime

import pytest

from app.mail import Mail, MemoryBackend, OutboxBackend, SmtpBackend, send_mail


def test_the_outbox_writes_messages_that_can_be_read_back(tmp_path, caplog):
    outbox = OutboxBackend(tmp_path / "outbox", "Digital Apprenticeships <no-reply@localhost>")
    first = Mail("a@example.org", "First", "Hello A", datetime(2026, 11, 1, 9, tzinfo=UTC))
    second = Mail("b@example.org", "Second", "Hello B", datetime(2026, 11, 2, 9, tzinfo=UTC))
    with caplog.at_level("INFO"):
        outbox.send(first)
        outbox.send(second)
    assert [(m.to, m.subject, m.body.strip()) for m in outbox.messages()] == [
        ("b@example.org", "Second", "Hello B"),
        ("a@example.org", "First", "Hello A"),
    ]
    assert "Mail to b@example.org: Second" in caplog.text


def test_smtp_sends_with_starttls_and_login(monkeypatch):
    calls = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            calls.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *args):
            calls.append(("quit",))

        def starttls(self):
            calls.append(("starttls",))

        def login(self, user, password):
            calls.append(("login", user, password))

        def send_message(self, message):
            calls.append(("send", message["To"], message["Subject"], message["From"]))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    backend = SmtpBackend(
        {
            "MAIL_SERVER": "smtp.example.org",
            "MAIL_PORT": 587,
            "MAIL_USE_TLS": True,
            "MAIL_USERNAME": "svc",
            "MAIL_PASSWORD": "secret",
            "MAIL_SENDER": "no-reply@example.org",
        }
    )
    backend.send(Mail("a@example.org", "Hi", "Body", datetime(2026, 11, 1, tzinfo=UTC)))
    assert calls == [
        ("connect", "smtp.example.org", 587),
        ("starttls",),
        ("login", "svc", "secret"),
        ("send", "a@example.org", "Hi", "no-reply@example.org"),
        ("quit",),
    ]


def test_a_failure_to_send_is_reported_not_raised(app, caplog):
    class Broken(MemoryBackend):
        def send(self, mail):
            raise ConnectionRefusedError("mail server down")

    original = app.extensions["mail"]
    app.extensions["mail"] = Broken()
    try:
        with app.test_request_context():
            assert (
                send_mail("a@example.org", "Hi", "reset", user=None, url="x", valid_for="1 hour")
                is False
            )
    finally:
        app.extensions["mail"] = original
    assert "Could not send mail 'reset'" in caplog.text


def test_an_unknown_backend_is_refused(database):
    from tests.conftest import make_app

    with pytest.raises(RuntimeError, match="MAIL_BACKEND"):
        make_app(database.config["SQLALCHEMY_DATABASE_URI"], MAIL_BACKEND="pigeon")
