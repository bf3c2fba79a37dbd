"""Helpers for job tests: read a job, run a worker in the test's own event loop."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio

from openchance import Actor, OpenChance
from openchance.jobs.schemas import JobDetail
from openchance.jobs.worker import Worker

SYSTEM = Actor.system("tests")


async def job(oc: OpenChance, job_id: uuid.UUID | None) -> JobDetail:
    assert job_id is not None
    return await oc.jobs.get_job(SYSTEM, job_id)


@asynccontextmanager
async def running_worker(
    oc: OpenChance, *, concurrency: int = 1, run_schedules: bool = True
) -> AsyncIterator[Worker]:
    """A worker running in the background for the duration of the block."""
    worker = oc.worker(concurrency=concurrency, run_schedules=run_schedules)
    async with anyio.create_task_group() as group:
        group.start_soon(worker.run)
        try:
            yield worker
        finally:
            worker.request_stop()


async def drain(oc: OpenChance, *, timeout: float = 10.0) -> None:
    """Run every due job (e-mail, …) with a worker until none is due or running."""
    from sqlalchemy import func, select

    from openchance.db.types import utcnow
    from openchance.jobs.schemas import JobFilter
    from openchance.models.jobs import Job, JobState

    async def settled() -> bool:
        # Jobs scheduled for later (a challenge's expiry at its deadline) are not waited for.
        async with oc.unit_of_work(read_only=True) as uow:
            waiting = await uow.session.scalar(
                select(func.count())
                .select_from(Job)
                .where(
                    (Job.state == JobState.RUNNING)
                    | ((Job.state == JobState.PENDING) & (Job.run_at <= utcnow()))
                )
            )
        return not waiting

    async with running_worker(oc, run_schedules=False):
        with anyio.fail_after(timeout):
            while not await settled():
                await anyio.sleep(0.02)
    dead = await oc.jobs.list_jobs(SYSTEM, JobFilter(state=JobState.DEAD))
    assert not dead, f"jobs died: {[(job.name, job.last_error) for job in dead]}"
