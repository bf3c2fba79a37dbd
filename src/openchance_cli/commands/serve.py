"""``openchance serve``: the HTTP API and WebSocket server (and, by default, a job worker)."""

from __future__ import annotations

from typing import Annotated

import typer

from openchance import OpenChance, Settings
from openchance.db import migrate
from openchance.demo import DemoSummary, prepare_demo
from openchance.errors import ConfigurationError
from openchance_cli.output import console
from openchance_cli.runtime import fail, run, settings_or_exit


def _check_schema(settings: Settings) -> None:
    current = run(lambda: migrate.current_revision(settings.database_url))
    head = migrate.head_revision()
    if current != head:
        fail(
            ConfigurationError(
                f"the database is at revision {current or 'base (empty)'}, this version needs "
                f"{head}: run `openchance db upgrade` first (or `openchance serve --demo`)"
            )
        )


def _print_demo(summary: DemoSummary, base_url: str) -> None:
    console.print("[bold green]OpenChance demo marketplace[/]")
    console.print(f"  API         {base_url}/api/v1")
    console.print(f"  API docs    {base_url}/docs")
    console.print(f"  OpenAPI     {base_url}/openapi.json")
    console.print(f"  readiness   {base_url}/readyz")
    console.print(f"  schema      revision {summary.revision}")
    for line in summary.steps:
        console.print(f"  seeded      {line}")
    if not summary.steps:
        console.print("  seeded      nothing yet: the domains add demo data as they land")
    for login in summary.logins:
        console.print(f"  login       {login.email} / {login.password} ({', '.join(login.roles)})")
    console.print("Press Ctrl+C to stop.")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=64, help="Server processes.")
    ] = 1,
    demo: Annotated[
        bool, typer.Option("--demo", help="Migrate and seed the demo marketplace first.")
    ] = False,
    job_worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run a job worker inside each server process (default: the setting "
            "OPENCHANCE_RUN_WORKER_IN_PROCESS, on unless changed).",
        ),
    ] = True,
) -> None:
    """Serve the API on HOST:PORT."""
    # Imported here: only `serve` needs the server stack.
    from openchance_server import serve as serve_http

    settings = settings_or_exit()
    base_url = f"http://{host}:{port}"
    if demo:

        async def seed() -> DemoSummary:
            async with OpenChance(settings) as oc:
                return await prepare_demo(oc)

        _print_demo(run(seed), base_url)
    else:
        _check_schema(settings)
        console.print(f"OpenChance serving on {base_url} (API docs: {base_url}/docs)")
    serve_http(
        settings,
        host=host,
        port=port,
        workers=workers,
        run_worker=job_worker and settings.run_worker_in_process,
    )
