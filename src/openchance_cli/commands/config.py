"""``openchance config``: the effective settings."""

from __future__ import annotations

from typing import Annotated

import typer

from openchance_cli.output import JSON_OPTION_HELP, print_fields, print_json
from openchance_cli.runtime import settings_or_exit

app = typer.Typer(no_args_is_help=True, help="Inspect the configuration.")


@app.command("show")
def show(
    json_output: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Print the effective settings (environment, .env and defaults), secrets masked."""
    settings = settings_or_exit()
    data = settings.masked()
    if json_output:
        print_json(data)
        return
    print_fields("Effective settings", {f"OPENCHANCE_{k.upper()}": v for k, v in data.items()})
