"""The real-browser harness: the test app served on a thread, driven by chromium via Playwright.

pytest-playwright provides `browser`, `context`, `new_context` and `page`; these overrides point
it at Debian's chromium (Playwright cannot download its own browsers here) and at the live
server. Every test in this folder is marked `browser`; when chromium is missing they skip, and
the root conftest turns that skip into a failure under CI=true.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from app.seed.demo import seed_demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    # Without these Chromium tries to reach Google's servers, and the network here is closed.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@dataclass(frozen=True)
class LiveServer:
    url: str
    password: str  # every demo account's


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"chromium is not installed at {CHROMIUM}; install Debian's chromium package")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(
    browser_context_args: dict[str, Any], live_server: LiveServer
) -> dict[str, Any]:
    """Relative URLs in page.goto() and expect() resolve against the live server."""
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture
def live_server(app: Flask, db_session: Session) -> Iterator[LiveServer]:
    """The test app, with the demo data, answering on a free local port for this test."""
    password = app.config["DEMO_PASSWORD"]
    seed_demo(db_session, password=password)
    db_session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval lets shutdown() return quickly at the end of each test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", password)
    finally:
        server.shutdown()  # waits for serve_forever to return
        server.server_close()
        thread.join(timeout=10)
