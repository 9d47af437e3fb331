"""Flask command-line tasks, all registered from `init_app`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from app.domain.accounts import create_user, set_password
from app.domain.errors import DomainError
from app.extensions import db
from app.models import Borough, Role


def _refuse_in_production() -> None:
    if not current_app.config["ALLOW_SEEDING"]:
        raise click.ClickException("Seeding is refused under the production configuration.")


@click.command("create-admin")
@with_appcontext
@click.option("--email", required=True, help="The administrator's email address.")
@click.option("--name", required=True, help="Their full name.")
@click.option("--borough", required=True, help="Their borough: a name or an ONS code (E09...).")
@click.password_option(help="Their password (asked for twice when not given).")
def create_admin(email: str, name: str, borough: str, password: str) -> None:
    """Create an administrator account."""
    found = db.session.scalars(
        select(Borough).where((Borough.name == borough) | (Borough.ons_code == borough.upper()))
    ).one_or_none()
    if found is None:
        raise click.ClickException(f"No borough called {borough!r}.")
    try:
        user = create_user(db.session, email=email, name=name, borough=found, roles=[Role.ADMIN])
        set_password(db.session, user, password, actor=None)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created administrator {user.email} ({found.name}).")


seed = AppGroup("seed", help="Load demonstration or measurement data (refused in production).")


@seed.command("demo")
@click.option("--if-no-users", is_flag=True, help="Do nothing when the database has users.")
def seed_demo_command(if_no_users: bool) -> None:
    """Load the demo accounts, standards and providers."""
    from app.seed.demo import DEMO_ACCOUNTS, has_users, seed_demo

    _refuse_in_production()
    if has_users(db.session):
        if not if_no_users:
            raise click.ClickException(
                "The database already has users; demo data needs an empty one."
            )
        click.echo("The database already has users, so demo data was not loaded again.")
    else:
        seed_demo(db.session, password=current_app.config["DEMO_PASSWORD"])
        db.session.commit()
        click.echo("Demo data loaded.")
    click.echo("Sign in at /sign-in with any of these demo accounts:")
    for account in DEMO_ACCOUNTS:
        roles = ", ".join(role.label for role in account.roles)
        wide = ", programme-wide" if account.programme_wide else ""
        click.echo(f"  {account.email:<26} {roles} ({account.borough}{wide})")
    click.echo(
        f"Password for each: {current_app.config['DEMO_PASSWORD']} (the DEMO_PASSWORD setting)"
    )


@seed.command("scale")
@click.option(
    "--tier",
    type=click.Choice(["tiny", "realistic", "stress"]),
    required=True,
    help="realistic: 11,500 apprentices over five years; stress: 180,000 (tiny: for tests).",
)
@click.option("--seed", "seed_value", type=int, default=1, show_default=True, help="Random seed.")
def seed_scale_command(tier: str, seed_value: int) -> None:
    """Load London-scale measurement data (every password is the DEMO_PASSWORD setting)."""
    import time

    from app.seed.scale import ScaleRefused, seed_scale

    _refuse_in_production()
    began = time.perf_counter()
    try:
        counts = seed_scale(
            db.session,
            tier,
            seed=seed_value,
            password=current_app.config["DEMO_PASSWORD"],
            echo=click.echo,
        )
    except ScaleRefused as refused:
        db.session.rollback()
        raise click.ClickException(str(refused)) from None
    db.session.commit()
    for table, rows in sorted(counts.items()):
        click.echo(f"  {table:<26} {rows:>10,}")
    click.echo(f"Seeded the {tier} tier in {time.perf_counter() - began:.1f} s.")


@click.command("benchmark")
@with_appcontext
@click.option(
    "--requests",
    "requests",
    type=int,
    default=20,
    show_default=True,
    help="Requests per page (in-process mode).",
)
@click.option("--load", is_flag=True, help="Run gunicorn and a concurrent page mix against it.")
@click.option("--workers", type=int, default=4, show_default=True, help="gunicorn workers.")
@click.option("--threads", type=int, default=16, show_default=True, help="Concurrent clients.")
@click.option("--seconds", type=float, default=30, show_default=True, help="Load test length.")
def benchmark_command(
    requests: int, load: bool, workers: int, threads: int, seconds: float
) -> None:
    """Measure the key pages on this database (seed it with `flask seed scale` first)."""
    from app.benchmark import run_benchmark, run_load

    _refuse_in_production()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        if not load:
            click.echo(run_benchmark(app, requests))
            return
        result = run_load(
            app,
            workers=workers,
            threads=threads,
            seconds=seconds,
            password=current_app.config["DEMO_PASSWORD"],
        )
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"{workers} gunicorn workers, {threads} concurrent clients for {result['seconds']} s: "
        f"{result['requests']:,} requests, {result['per_second']} a second, "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, {result['failures']} failed"
    )
    for example in result["failure_examples"]:
        click.echo(f"  failed: {example}")


@click.command("refresh-status")
@with_appcontext
def refresh_status() -> None:
    """The daily refresh: start every apprentice whose start date has come, then recompute every
    stored progress summary for what changes with the date alone. Safe to run again."""
    from app.clock import today
    from app.domain.application_drafts import purge_expired_drafts
    from app.domain.lifecycle import start_due_apprentices
    from app.domain.progress import refresh_summaries
    from app.sessions import purge_expired_sessions

    started = start_due_apprentices(db.session, today())
    summaries = refresh_summaries(db.session, None, today())
    drafts = purge_expired_drafts(db.session)
    db.session.commit()
    ended = purge_expired_sessions(current_app)
    click.echo(f"Started {started} {'apprentice' if started == 1 else 'apprentices'}.")
    click.echo(
        f"Recomputed {summaries} progress summaries; removed {ended} expired sessions and "
        f"{drafts} expired application drafts."
    )


report_facts_group = AppGroup("report-facts", help="The report figures stored per borough and day.")


@report_facts_group.command("rebuild")
def rebuild_report_facts() -> None:
    """Recount every stored figure from the records (once after upgrading a database that has
    records; until then reports count the records on each request)."""
    import time

    from app.domain import report_facts

    began = time.perf_counter()
    report_facts.rebuild(db.session)
    db.session.commit()
    click.echo(f"Recounted the stored report figures in {time.perf_counter() - began:.1f} s.")


@report_facts_group.command("check")
def check_report_facts() -> None:
    """Compare every stored figure with a fresh count; fails when any differs."""
    from app.domain import report_facts

    if not report_facts.built(db.session.connection()):
        raise click.ClickException("Not built yet: run `flask report-facts rebuild`.")
    found = report_facts.differences(db.session)
    for difference in found[:20]:
        click.echo(f"  {difference}")
    if found:
        raise click.ClickException(f"{len(found)} stored figures differ from a fresh count.")
    click.echo("Every stored report figure equals a fresh count.")


@click.command("import-apprentices")
@with_appcontext
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--actor",
    "actor_email",
    required=True,
    help="Email address of the coordinator or administrator doing the import.",
)
def import_apprentices_command(csv_file: Path, actor_email: str) -> None:
    """Import apprentices from a CSV file (the columns are in the README). If any row is wrong,
    nothing is imported and every problem is listed."""
    from app.domain.account_links import Purpose
    from app.domain.accounts import find_user_by_email
    from app.domain.apprentice_import import ImportRefused, import_apprentices
    from app.web.account_mail import send_account_link

    actor = find_user_by_email(db.session, actor_email)
    if actor is None or not actor.is_active:
        raise click.ClickException(f"No active user has the email address {actor_email!r}.")
    try:
        result = import_apprentices(
            db.session, csv_file.read_bytes(), filename=csv_file.name, actor=actor
        )
    except ImportRefused as refused:
        db.session.rollback()
        for error in refused.errors:
            column = f" {error.column}:" if error.column else ""
            click.echo(f"Row {error.row}:{column} {error.message}", err=True)
        raise click.ClickException(refused.message) from None
    if result.already_imported is not None:
        db.session.rollback()
        click.echo(
            f"This file was already imported (as {result.already_imported.filename}); "
            "nothing was created."
        )
        return
    db.session.commit()
    # Links in mail are built from PUBLIC_URL; url_for needs a request context to build paths.
    with current_app.test_request_context():
        unsent = [
            user
            for user in result.invited
            if not send_account_link(user, Purpose.INVITATION, invited_by=actor).mailed
        ]
    created = len(result.created)
    click.echo(
        f"Imported {created} {'apprentice' if created == 1 else 'apprentices'}; "
        f"skipped {len(result.skipped)} already imported."
    )
    for row, email in result.skipped:
        click.echo(f"  Row {row}: {email} is already an apprentice, skipped.")
    for user in unsent:
        click.echo(
            f"  The invitation to {user.email} could not be mailed; send it again from their page.",
            err=True,
        )


@click.command("import-applications")
@with_appcontext
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--vacancy", "vacancy_id", required=True, type=int, help="The vacancy's id.")
@click.option(
    "--actor",
    "actor_email",
    required=True,
    help="Email address of the coordinator or administrator doing the import.",
)
def import_applications_command(csv_file: Path, vacancy_id: int, actor_email: str) -> None:
    """Import applications to a vacancy from a CSV file (the columns are in the README). If any
    row is wrong, nothing is imported and every problem is listed."""
    from app.domain.accounts import find_user_by_email
    from app.domain.application_import import ImportRefused, import_applications

    actor = find_user_by_email(db.session, actor_email)
    if actor is None or not actor.is_active:
        raise click.ClickException(f"No active user has the email address {actor_email!r}.")
    try:
        result = import_applications(
            db.session,
            csv_file.read_bytes(),
            vacancy_id=vacancy_id,
            filename=csv_file.name,
            actor=actor,
        )
    except ImportRefused as refused:
        db.session.rollback()
        for error in refused.errors:
            column = f" {error.column}:" if error.column else ""
            click.echo(f"Row {error.row}:{column} {error.message}", err=True)
        raise click.ClickException(refused.message) from None
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    if result.already_imported is not None:
        db.session.rollback()
        click.echo(
            f"This file was already imported (as {result.already_imported.filename}); "
            "nothing was created."
        )
        return
    created = len(result.created)
    eligible = sum(1 for application in result.created if application.eligible)
    db.session.commit()
    click.echo(
        f"Imported {created} {'application' if created == 1 else 'applications'} "
        f"({eligible} eligible); skipped {len(result.skipped)} already applied."
    )
    for row, email in result.skipped:
        click.echo(f"  Row {row}: {email} has already applied to this vacancy, skipped.")


@click.command("apply-retention")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only report what would be removed.")
def apply_retention_command(dry_run: bool) -> None:
    """Remove personal data past its retention period (safe to run daily)."""
    from app.clock import today, utcnow
    from app.domain.retention import Periods, apply_retention

    outcome = apply_retention(
        db.session,
        today=today(),
        now=utcnow(),
        periods=Periods.from_config(current_app.config),
        dry_run=dry_run,
    )
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was changed. This is what would be removed:")
    else:
        db.session.commit()
    for line in outcome.lines():
        click.echo(line)


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed)
    app.cli.add_command(benchmark_command)
    app.cli.add_command(refresh_status)
    app.cli.add_command(report_facts_group)
    app.cli.add_command(import_apprentices_command)
    app.cli.add_command(import_applications_command)
    app.cli.add_command(apply_retention_command)
