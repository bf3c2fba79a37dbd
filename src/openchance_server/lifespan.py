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

logger = logging.getLogger("openchance.server")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Starts ``app.state.oc`` unless it is started already (then closes only what it started)
    and runs a job worker beside the server while ``app.state.run_worker``."""
    oc: OpenChance = app.state.oc
    started_here = not oc.started
    if started_here:
        await oc.start()
    try:
        async with anyio.create_task_group() as tasks:
            worker = oc.worker() if app.state.run_worker else None
            if worker is not None:
                await tasks.start(_supervise, worker)
            try:
                yield
            finally:
                if worker is not None:
                    worker.request_stop()
    finally:
        if started_here:
            await oc.close()


async def _supervise(worker: Worker, *, task_status: TaskStatus[None]) -> None:
    task_status.started()
    try:
        await worker.run()
    except Exception:
        # The server keeps serving; /readyz reports the missing worker.
        logger.exception("the in-process job worker stopped on an error")
