"""Start and stop what the app needs: the platform and, when asked, an in-process job worker."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from anyio.abc import TaskStatus
from fastapi import FastAPI

from openchance import OpenChance
from openchance.jobs.worker import Worker
from openchance_server.realtime.hub import Hub

logger = logging.getLogger("openchance.server")

FIRST_RESTART_DELAY_SECONDS = 1.0
MAX_RESTART_DELAY_SECONDS = 30.0


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Starts ``app.state.oc`` unless it is started already (then closes only what it started),
    the real-time hub (the process's bus listener for its WebSockets) and a job worker
    beside the server while ``app.state.run_worker``."""
    oc: OpenChance = app.state.oc
    started_here = not oc.started
    if started_here:
        await oc.start()
    try:
        async with anyio.create_task_group() as tasks:
            hub: Hub = app.state.realtime_hub
            await tasks.start(hub.run)
            worker = oc.worker() if app.state.run_worker else None
            if worker is not None:
                await tasks.start(_supervise, worker)
            try:
                yield
            finally:
                hub.stop()
                if worker is not None:
                    worker.request_stop()
    finally:
        if started_here:
            await oc.close()


async def _supervise(worker: Worker, *, task_status: TaskStatus[None]) -> None:
    task_status.started()
    delay = FIRST_RESTART_DELAY_SECONDS
    while not worker.stop_requested:
        try:
            await worker.run()
            return
        except Exception:
            # The server keeps serving (/readyz reports the missing worker meanwhile); the
            # worker comes back once the database does.
            logger.exception("the in-process job worker stopped; restarting in %.0f s", delay)
        with anyio.move_on_after(delay):
            while not worker.stop_requested:  # noqa: ASYNC110 - a flag, set before run()
                await anyio.sleep(0.1)
        delay = min(delay * 2, MAX_RESTART_DELAY_SECONDS)
