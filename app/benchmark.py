"""`flask benchmark`: how fast the key pages are on the database the app points at.

In-process mode requests each key page as the role that uses it, through the Flask test client,
and prints for each: p50 and p95 server time, SQL statements per request, the time of the SQL
alone and the ratio of page time to SQL time, and the most Python memory one request
allocated; then the process's peak resident memory.

`--load` starts gunicorn on a free loopback port and drives a realistic mix of pages at it
from a second process (threads, each signed in through the real sign-in form), then prints
requests per second, p50, p95 and failures.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

from flask import Flask, url_for
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.clock import today
from app.extensions import db
from app.models import (
    Application,
    Apprentice,
    ApprenticeStatus,
    Borough,
    MentorAssignment,
    Role,
    User,
    UserRole,
    Vacancy,
)

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Subjects:
    """Who signs in and which records the pages show: the borough with the most apprentices,
    its largest cohort, its vacancy with the most applications, a live apprentice there."""

    borough_id: int
    users: dict[str, int]  # role key → user id
    apprentice_id: int
    cohort_id: int
    vacancy_id: int


@dataclass(frozen=True)
class Page:
    label: str
    role: str
    url: str
    is_report: bool = False
    weight: int = 1  # in the load test's mix


@dataclass
class Measurement:
    page: Page
    times: list[float] = field(default_factory=list)
    sql_times: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    peak_allocated: int = 0

    def row(self) -> list[str]:
        p50, p95 = percentile(self.times, 50), percentile(self.times, 95)
        sql = statistics.median(self.sql_times)
        counts = sorted(set(self.statements))
        statements = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
        ratio = f"{statistics.median(self.times) / sql:.1f}" if sql > 0 else "–"
        status = ",".join(str(s) for s in sorted(self.statuses))
        return [
            self.page.label + (" (report)" if self.page.is_report else ""),
            self.page.role,
            status,
            f"{p50 * 1000:.0f}",
            f"{p95 * 1000:.0f}",
            statements,
            f"{sql * 1000:.0f}",
            ratio,
            f"{self.peak_allocated / 1_048_576:.1f}",
        ]


HEADINGS = [
    "page",
    "as",
    "status",
    "p50 ms",
    "p95 ms",
    "SQL statements",
    "SQL ms",
    "page/SQL",
    "alloc MB",
]


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.499999))
    return ordered[min(rank, len(ordered)) - 1]


def format_table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, so it pastes into the README as it is."""
    widths = [max(len(str(r[i])) for r in [headings, *rows]) for i in range(len(headings))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headings), separator, *(line(r) for r in rows)])


# Choosing who and what


def _user_with_role(session: Session, role: Role, borough_id: int | None) -> int | None:
    query = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role.value, User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    if borough_id is not None:
        query = query.where(User.borough_id == borough_id, User.is_programme_wide.is_(False))
    return session.scalar(query)


def pick_subjects(session: Session) -> Subjects:
    borough_id = session.scalar(
        select(Apprentice.employing_borough_id)
        .group_by(Apprentice.employing_borough_id)
        .order_by(func.count().desc(), Apprentice.employing_borough_id)
        .limit(1)
    )
    if borough_id is None:
        raise LookupError("The database has no apprentices: run `flask seed scale` first.")
    cohort_id = session.scalar(
        select(Apprentice.cohort_id)
        .where(Apprentice.employing_borough_id == borough_id)
        .group_by(Apprentice.cohort_id)
        .order_by(func.count().desc(), Apprentice.cohort_id)
        .limit(1)
    )
    vacancy_id = session.scalar(
        select(Vacancy.id)
        .join(Application, Application.vacancy_id == Vacancy.id)
        .where(Vacancy.employing_borough_id == borough_id)
        .group_by(Vacancy.id)
        .order_by(func.count().desc(), Vacancy.id)
        .limit(1)
    )
    apprentice = session.execute(
        select(Apprentice.id, Apprentice.user_id)
        .where(
            Apprentice.employing_borough_id == borough_id,
            Apprentice.status == ApprenticeStatus.ACTIVE.value,
        )
        .order_by(Apprentice.start_date, Apprentice.id)
        .limit(1)
    ).one_or_none()
    mentor = session.scalar(
        select(MentorAssignment.mentor_user_id)
        .join(Apprentice, Apprentice.id == MentorAssignment.apprentice_id)
        .where(Apprentice.employing_borough_id == borough_id, MentorAssignment.end_date.is_(None))
        .group_by(MentorAssignment.mentor_user_id)
        .order_by(func.count().desc(), MentorAssignment.mentor_user_id)
        .limit(1)
    )
    users = {
        "coordinator": _user_with_role(session, Role.COORDINATOR, borough_id),
        "lead": _user_with_role(session, Role.BOROUGH_LEAD, borough_id),
        "mentor": mentor,
        "apprentice": apprentice.user_id if apprentice else None,
    }
    missing = [key for key, value in users.items() if value is None]
    if missing or apprentice is None or cohort_id is None or vacancy_id is None:
        raise LookupError(
            "The seeded data lacks what the benchmark shows "
            f"(missing: {', '.join(missing) or 'a live apprentice, cohort or vacancy'})."
        )
    return Subjects(
        borough_id,
        {key: value for key, value in users.items() if value is not None},
        apprentice.id,
        cohort_id,
        vacancy_id,
    )


def key_pages(app: Flask, subjects: Subjects) -> tuple[list[Page], list[str]]:
    """The pages to measure, and notes on pages left out."""
    from app.web.reports.views import REPORTS

    notes: list[str] = []
    a, c, v = subjects.apprentice_id, subjects.cohort_id, subjects.vacancy_id
    with app.test_request_context():
        pages = [
            Page("Apprentice list", "coordinator", url_for("coordinator.apprentices"), weight=8),
            Page(
                "Apprentice list, page 40",
                "coordinator",
                url_for("coordinator.apprentices", page=40),
                weight=1,
            ),
            Page(
                "Needs attention", "coordinator", url_for("coordinator.needs_attention"), weight=6
            ),
            Page(
                "Pipeline",
                "coordinator",
                url_for("coordinator.applications", vacancy_id=v),
                weight=4,
            ),
            Page("Cohorts", "coordinator", url_for("coordinator.cohorts"), weight=2),
            Page(
                "Cohort page", "coordinator", url_for("coordinator.cohort", cohort_id=c), weight=4
            ),
            Page(
                "Apprentice page",
                "coordinator",
                url_for("coordinator.apprentice", apprentice_id=a),
                weight=8,
            ),
            Page(
                "Apprentice progress",
                "coordinator",
                url_for("coordinator.apprentice_progress", apprentice_id=a),
                weight=4,
            ),
            Page("Mentor home", "mentor", url_for("mentor.home"), weight=4),
            Page("Apprentice home", "apprentice", url_for("apprentice.home"), weight=6),
            Page("Apprentice log", "apprentice", url_for("apprentice.log"), weight=3),
        ]
        pages += [
            Page(title, "lead", url_for(endpoint), is_report=True, weight=1)
            for endpoint, title in REPORTS
        ]
        pages.append(
            Page(
                "Applications CSV export",
                "coordinator",
                url_for("coordinator.applications_export", vacancy_id=v),
                weight=1,
            )
        )
        pages.append(Page("Comparison CSV", "lead", url_for("reports.comparison_csv"), weight=1))
        open_data = [r for r in app.url_map.iter_rules() if r.rule.startswith("/open-data")]
        downloads = [r for r in open_data if "GET" in (r.methods or ()) and not r.arguments]
        if downloads:
            for rule in downloads:
                pages.append(Page(f"Open data {rule.rule}", "anonymous", rule.rule, weight=1))
        else:
            notes.append("No /open-data download exists yet, so none was measured.")
    return pages, notes


# In-process measurement


@dataclass
class _SqlLog:
    statements: int = 0
    seconds: float = 0.0


@contextmanager
def _sql_log(engine: Any) -> Iterator[_SqlLog]:
    log = _SqlLog()

    def before(conn: Any, *_: Any) -> None:
        conn.info.setdefault("benchmark_started", []).append(time.perf_counter())

    def after(conn: Any, *_: Any) -> None:
        log.statements += 1
        log.seconds += time.perf_counter() - conn.info["benchmark_started"].pop()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def _signed_in_clients(app: Flask, subjects: Subjects) -> dict[str, Any]:
    from app.sessions import create_session

    clients = {"anonymous": app.test_client()}
    for role, user_id in subjects.users.items():
        client = app.test_client()
        with app.app_context():
            token = create_session({"_user_id": str(user_id), "_fresh": True}, user_id=user_id)
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], token)
        clients[role] = client
    return clients


def measure(app: Flask, pages: Sequence[Page], requests: int, subjects: Subjects) -> list:
    """Each page `requests` times (after one request to warm up), then once more under
    tracemalloc for the memory a request allocates."""
    clients = _signed_in_clients(app, subjects)
    with app.app_context():
        engine = db.engine
    results = []
    for page in pages:
        client = clients[page.role]
        result = Measurement(page)
        client.get(page.url).get_data()
        for _ in range(requests):
            with _sql_log(engine) as log:
                began = time.perf_counter()
                response = client.get(page.url)
                response.get_data()  # a streamed body is produced while it is read
                result.times.append(time.perf_counter() - began)
            result.sql_times.append(log.seconds)
            result.statements.append(log.statements)
            result.statuses.add(response.status_code)
        tracemalloc.start()
        client.get(page.url).get_data()
        result.peak_allocated = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results.append(result)
    return results


def peak_memory_mb() -> float:
    """The process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_summary(session: Session) -> str:
    counts = {
        "apprentices": session.scalar(select(func.count()).select_from(Apprentice)),
        "applications": session.scalar(select(func.count()).select_from(Application)),
        "boroughs": session.scalar(select(func.count()).select_from(Borough)),
    }
    engine = session.get_bind()
    return f"{engine.dialect.name} database: " + ", ".join(
        f"{value:,} {key}" for key, value in counts.items()
    )


def measure_recounts(session: Session, times: int, borough_id: int) -> str:
    """What keeping the stored report figures current adds to a change: the recount of one
    day (every borough) and of its month's equality counts (one borough), for days spread over
    the five years; rolled back, so nothing changes."""
    from app.domain import report_facts

    first = session.scalar(select(func.min(Apprentice.start_date)))
    if first is None:
        return "No apprentices: recounts not measured."
    span = max((today() - first).days, 1)
    seconds = []
    for number in range(times):
        day = first + timedelta(days=span * number // max(times - 1, 1))
        began = time.perf_counter()
        report_facts.refresh(session, report_facts.Recount({day}, {day}, {borough_id}))
        seconds.append(time.perf_counter() - began)
        session.rollback()
    return (
        f"Recount after a change (one day's figures, and its month's equality counts for one "
        f"borough), {times} days: p50 {percentile(seconds, 50) * 1000:.0f} ms, "
        f"p95 {percentile(seconds, 95) * 1000:.0f} ms."
    )


def run_benchmark(app: Flask, requests: int) -> str:
    """The whole in-process report, as text."""
    with app.app_context():
        subjects = pick_subjects(db.session)
        summary = database_summary(db.session)
        recounts = measure_recounts(db.session, max(requests, 10), subjects.borough_id)
        db.session.remove()
    pages, notes = key_pages(app, subjects)
    # Requests run in an empty context: under a command's app context every request would share
    # one database session, unlike requests in a server.
    results = contextvars.Context().run(measure, app, pages, requests, subjects)
    lines = [
        summary,
        f"{requests} requests per page, server time in process (Flask test client).",
        "",
        format_table(HEADINGS, [result.row() for result in results]),
        "",
        f"Peak resident memory of this process: {peak_memory_mb():.0f} MB",
        recounts,
        *notes,
    ]
    return "\n".join(lines)


# Load test: gunicorn, and a client in a second process


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /health in time")


def run_load(
    app: Flask, *, workers: int, threads: int, seconds: float, password: str
) -> dict[str, Any]:
    with app.app_context():
        subjects = pick_subjects(db.session)
        emails = dict(
            db.session.execute(
                select(User.id, User.email).where(User.id.in_(subjects.users.values()))
            ).all()
        )
        db.session.remove()
    pages, _notes = key_pages(app, subjects)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        _wait_until_up(port)
        plan = {
            "port": port,
            "threads": threads,
            "seconds": seconds,
            "cookie": app.config["SESSION_COOKIE_NAME"],
            "password": password,
            "accounts": {role: emails[user_id] for role, user_id in subjects.users.items()},
            "pages": [[p.role, p.url, p.weight] for p in pages if p.role != "anonymous"],
        }
        client = subprocess.run(
            [sys.executable, "-m", "app.benchmark"],
            input=json.dumps(plan),
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        return json.loads(client.stdout)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _sign_in(port: int, cookie_name: str, email: str, password: str) -> str:
    """Sign in through the real form; returns the session cookie's value."""
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/sign-in")
    response = connection.getresponse()
    body = response.read().decode()
    visitor = _cookie(response.getheader("Set-Cookie") or "", cookie_name)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    if token is None:
        raise RuntimeError("the sign-in page offered no CSRF token")
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": email, "password": password}
    )
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST",
        "/sign-in",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{cookie_name}={visitor}",
        },
    )
    response = connection.getresponse()
    response.read()
    session = _cookie(response.getheader("Set-Cookie") or "", cookie_name)
    if response.status != 302 or not session:
        raise RuntimeError(f"signing in as {email} failed ({response.status})")
    return session


def _cookie(header: str, name: str) -> str:
    found = re.search(rf"{re.escape(name)}=([^;]+)", header)
    return found.group(1) if found else ""


def load_client(plan: dict[str, Any]) -> dict[str, Any]:
    """The second process: sign in once per role, then threads request pages in the weighted
    mix, back to back, for the given time."""
    import random

    port, cookie_name = plan["port"], plan["cookie"]
    cookies = {
        role: _sign_in(port, cookie_name, email, plan["password"])
        for role, email in plan["accounts"].items()
    }
    mix = [(role, url) for role, url, weight in plan["pages"] for _ in range(weight)]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + plan["seconds"]

    def worker(number: int) -> None:
        rng = random.Random(number)
        while time.monotonic() < stop_at:
            role, url = rng.choice(mix)
            began = time.perf_counter()
            try:
                connection = HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request("GET", url, headers={"Cookie": f"{cookie_name}={cookies[role]}"})
                response = connection.getresponse()
                response.read()
                ok, outcome = response.status == 200, f"{response.status} {url}"
            except OSError as error:
                ok, outcome = False, f"{type(error).__name__} {url}"
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                if not ok:
                    failures.append(outcome)

    began = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(plan["threads"])]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - began
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 1),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000),
        "p95_ms": round(percentile(latencies, 95) * 1000),
        "failures": len(failures),
        "failure_examples": sorted(set(failures))[:5],
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(load_client(json.load(sys.stdin))) + "\n")
