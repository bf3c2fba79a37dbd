"""``openchance worker``: run background jobs until told to stop."""

from __future__ import annotations

import signal
from typing import Annotated

import anyio
import typer

from openchance import OpenChance
from openchance.jobs.worker import Worker
from openchance.logs import configure_logging
from openchance_cli.runtime import run, settings_or_exit


async def stop_on_signals(worker: Worker, cancel: anyio.CancelScope) -> None:
    """First SIGTERM/SIGINT: finish or release running jobs and stop. Second: stop now."""
    with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        stopping = False
        async for _signal in signals:
            if stopping:
                cancel.cancel()
                return
            stopping = True
            worker.request_stop()


def worker(
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, max=256, help="Jobs run at once.")
    ] = 1,
    schedules: Annotated[
        bool, typer.Option(help="Also enqueue periodic jobs when their period starts.")
    ] = True,
) -> None:
    """Run a job worker. Start as many as you like, on as many machines as you like."""
    settings = settings_or_exit()
    configure_logging(settings.log_level)

    async def main() -> None:
        async with OpenChance(settings) as oc:
            job_worker = oc.worker(concurrency=concurrency, run_schedules=schedules)
            async with anyio.create_task_group() as group:
                group.start_soon(stop_on_signals, job_worker, group.cancel_scope)
                await job_worker.run()
                group.cancel_scope.cancel()

    run(main)
