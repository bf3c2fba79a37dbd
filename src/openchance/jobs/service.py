"""Job admin use cases: list, show, retry and cancel."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.actor import Actor
from openchance.db.types import utcnow
from openchance.errors import Conflict, NotFound
from openchance.jobs import queue
from openchance.jobs.policy import check_can_operate_jobs
from openchance.jobs.schemas import JobCounts, JobDetail, JobFilter, JobRead
from openchance.models.jobs import Job, JobState

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

RETRYABLE = frozenset({JobState.DEAD, JobState.CANCELLED})
CANCELLABLE = frozenset({JobState.PENDING, JobState.DEAD})


class JobService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def list_jobs(self, actor: Actor, query: JobFilter | None = None) -> list[JobRead]:
        check_can_operate_jobs(actor)
        query = query or JobFilter()
        statement = select(Job).order_by(Job.created_at.desc()).limit(query.limit)
        if query.state is not None:
            statement = statement.where(Job.state == query.state)
        if query.name is not None:
            statement = statement.where(Job.name == query.name)
        async with self._platform.unit_of_work(read_only=True) as uow:
            jobs = (await uow.session.scalars(statement)).all()
            return [JobRead.model_validate(job) for job in jobs]

    async def get_job(self, actor: Actor, job_id: uuid.UUID) -> JobDetail:
        check_can_operate_jobs(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return JobDetail.model_validate(await _load(uow, job_id))

    async def count_jobs(self, actor: Actor) -> JobCounts:
        check_can_operate_jobs(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return JobCounts(counts=await queue.count_by_state(uow.session))

    async def retry_job(self, actor: Actor, job_id: uuid.UUID) -> JobDetail:
        """Give a dead or cancelled job a fresh set of attempts, due now."""
        check_can_operate_jobs(actor)
        async with self._platform.unit_of_work() as uow:
            job = await _load(uow, job_id, for_update=True)
            if job.state not in RETRYABLE:
                raise Conflict(
                    f"job {job_id} is {job.state}; only dead or cancelled jobs can be retried",
                    code="job_not_retryable",
                    job_id=str(job_id),
                    state=job.state.value,
                )
            now = utcnow()
            job.state = JobState.PENDING
            job.attempts = 0
            job.run_at = now
            job.finished_at = None
            job.updated_at = now
            await queue.notify_workers(uow.session)
            await uow.session.flush()
            detail = JobDetail.model_validate(job)
        self._platform.wake_job_workers()
        return detail

    async def cancel_job(self, actor: Actor, job_id: uuid.UUID) -> JobDetail:
        """Call off a job that has not started; a running job cannot be cancelled."""
        check_can_operate_jobs(actor)
        async with self._platform.unit_of_work() as uow:
            job = await _load(uow, job_id, for_update=True)
            if job.state not in CANCELLABLE:
                raise Conflict(
                    f"job {job_id} is {job.state}; only pending or dead jobs can be cancelled",
                    code="job_not_cancellable",
                    job_id=str(job_id),
                    state=job.state.value,
                )
            now = utcnow()
            job.state = JobState.CANCELLED
            job.finished_at = now
            job.updated_at = now
            await uow.session.flush()
            return JobDetail.model_validate(job)


async def _load(uow: UnitOfWork, job_id: uuid.UUID, *, for_update: bool = False) -> Job:
    statement = select(Job).where(Job.id == job_id)
    if for_update:
        statement = statement.with_for_update()
    job = (await uow.session.scalars(statement)).one_or_none()
    if job is None:
        raise NotFound("job", job_id)
    return job
