"""The root ``openchance`` command; each group lives in its own module under ``commands/``."""

from __future__ import annotations

from typing import Annotated

import typer

import openchance
from openchance_cli.commands import (
    applications,
    categories,
    challenges,
    config,
    conversations,
    db,
    disputes,
    jobs,
    mail,
    payments,
    search,
    users,
)
from openchance_cli.commands.console import console
from openchance_cli.commands.serve import serve
from openchance_cli.commands.worker import worker

app = typer.Typer(
    name="openchance",
    no_args_is_help=True,
    help="OpenChance: run a challenge marketplace.",
    pretty_exceptions_show_locals=False,
)
app.add_typer(applications.app, name="applications")
app.add_typer(categories.app, name="categories")
app.add_typer(challenges.app, name="challenges")
app.add_typer(config.app, name="config")
app.add_typer(conversations.app, name="conversations")
app.add_typer(db.app, name="db")
app.add_typer(disputes.app, name="disputes")
app.add_typer(jobs.app, name="jobs")
app.add_typer(mail.app, name="mail")
app.add_typer(payments.app, name="payments")
app.add_typer(search.app, name="search")
app.add_typer(users.app, name="users")
app.command()(serve)
app.command()(worker)
app.command()(console)


def _version(value: bool) -> None:
    if value:
        print(f"openchance {openchance.__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """OpenChance: run a challenge marketplace."""


def main() -> None:
    app()
