"""``openchance db``: schema migrations (Alembic, shipped in the package)."""

from __future__ import annotations

from typing import Annotated

import typer

from openchance.db import migrate
from openchance.errors import ConfigurationError
from openchance_cli.output import JSON_OPTION_HELP, console, print_json
from openchance_cli.runtime import fail, run, settings_or_exit

app = typer.Typer(no_args_is_help=True, help="Migrate the database schema.")


@app.command("upgrade")
def upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = settings_or_exit()
    run(lambda: migrate.upgrade(settings.database_url, revision))
    current = run(lambda: migrate.current_revision(settings.database_url))
    console.print(f"database at revision [bold]{current}[/]")


@app.command("downgrade")
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or -1 for one step.")] = "-1",
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Revert migrations down to REVISION. Data in dropped tables is lost."""
    settings = settings_or_exit()
    if not yes:
        typer.confirm(f"Downgrade the database to {revision}? Dropped data is lost", abort=True)
    run(lambda: migrate.downgrade(settings.database_url, revision))
    current = run(lambda: migrate.current_revision(settings.database_url))
    console.print(f"database at revision [bold]{current or 'base (empty)'}[/]")


@app.command("current")
def current(
    json_output: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Show the database's revision and the newest one this version ships."""
    settings = settings_or_exit()
    revision = run(lambda: migrate.current_revision(settings.database_url))
    head = migrate.head_revision()
    if json_output:
        print_json({"current": revision, "head": head, "up_to_date": revision == head})
        return
    state = "up to date" if revision == head else "[yellow]behind: run `openchance db upgrade`[/]"
    console.print(f"current: [bold]{revision or 'base (empty)'}[/]  head: {head}  ({state})")


@app.command("revision")
def revision(
    message: Annotated[str, typer.Option("--message", "-m", help="What the migration does.")],
    autogenerate: Annotated[
        bool, typer.Option(help="Compare the models with the database and write the changes.")
    ] = True,
) -> None:
    """Write a new migration file (for developers of OpenChance)."""
    settings = settings_or_exit()
    path = run(lambda: migrate.revision(settings.database_url, message, autogenerate=autogenerate))
    console.print(f"wrote {path}")


@app.command("check")
def check() -> None:
    """Exit non-zero when the models and the migrations disagree on this database."""
    settings = settings_or_exit()
    differences = run(lambda: migrate.pending_differences(settings.database_url))
    if differences:
        fail(
            ConfigurationError(
                "the models and the migrations disagree:\n  "
                + "\n  ".join(str(difference) for difference in differences)
            )
        )
    console.print("models and migrations agree")
