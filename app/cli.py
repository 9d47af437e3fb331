"""Flask command-line tasks, all registered from `init_app`."""

from __future__ import annotations

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


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed)
