"""Operators list, show, retry and cancel jobs; nobody else may."""

from __future__ import annotations

import uuid

import pytest
from pydantic import BaseModel
from sqlalchemy import update

from openchance import (
    Actor,
    Conflict,
    NotAuthenticated,
    NotFound,
    OpenChance,
    PermissionDenied,
    Role,
)
from openchance.db.types import utcnow
from openchance.jobs import JobContext, JobRegistry, JobType
from openchance.jobs.schemas import JobFilter
from openchance.models.jobs import Job, JobState
from tests.support.jobs import SYSTEM, job, running_worker
from tests.support.waiting import eventually


class Item(BaseModel):
    number: int


ITEM = JobType("test.item", Item, max_attempts=2)


async def _job_in_state(oc: OpenChance, state: JobState, number: int = 1) -> uuid.UUID:
    async with oc.unit_of_work() as uow:
        job_id = await uow.enqueue(ITEM, Item(number=number))
        assert job_id is not None
        if state is not JobState.PENDING:
            await uow.session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(state=state, attempts=2, last_error="boom", finished_at=utcnow())
            )
    return job_id


class TestListJobs:
    async def test_filters_by_state(self, oc: OpenChance) -> None:
        await _job_in_state(oc, JobState.PENDING)
        dead = await _job_in_state(oc, JobState.DEAD)

        jobs = await oc.jobs.list_jobs(SYSTEM, JobFilter(state=JobState.DEAD))

        assert [listed.id for listed in jobs] == [dead]

    async def test_counts_every_state(self, oc: OpenChance) -> None:
        await _job_in_state(oc, JobState.PENDING)
        await _job_in_state(oc, JobState.PENDING)
        await _job_in_state(oc, JobState.DEAD)

        counts = await oc.jobs.count_jobs(SYSTEM)

        assert counts.counts[JobState.PENDING] == 2
        assert counts.counts[JobState.DEAD] == 1
        assert counts.counts[JobState.SUCCEEDED] == 0


class TestShowJob:
    async def test_an_unknown_job_is_not_found(self, oc: OpenChance) -> None:
        with pytest.raises(NotFound):
            await oc.jobs.get_job(SYSTEM, uuid.uuid4())


class TestRetryJob:
    async def test_a_dead_job_is_revived_and_runs(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        ran: list[int] = []

        @registry.handler(ITEM)
        async def handle(context: JobContext, payload: Item) -> None:
            ran.append(payload.number)

        job_id = await _job_in_state(oc, JobState.DEAD, number=7)
        revived = await oc.jobs.retry_job(SYSTEM, job_id)
        assert revived.state is JobState.PENDING
        assert revived.attempts == 0

        async with running_worker(oc):
            await eventually(lambda: _succeeded(oc, job_id))
        assert ran == [7]

    async def test_a_pending_job_cannot_be_retried(self, oc: OpenChance) -> None:
        job_id = await _job_in_state(oc, JobState.PENDING)

        with pytest.raises(Conflict) as raised:
            await oc.jobs.retry_job(SYSTEM, job_id)

        assert raised.value.code == "job_not_retryable"


class TestCancelJob:
    async def test_a_pending_job_is_cancelled(self, oc: OpenChance) -> None:
        job_id = await _job_in_state(oc, JobState.PENDING)

        cancelled = await oc.jobs.cancel_job(SYSTEM, job_id)

        assert cancelled.state is JobState.CANCELLED
        assert (await job(oc, job_id)).state is JobState.CANCELLED

    async def test_a_succeeded_job_cannot_be_cancelled(self, oc: OpenChance) -> None:
        job_id = await _job_in_state(oc, JobState.SUCCEEDED)

        with pytest.raises(Conflict) as raised:
            await oc.jobs.cancel_job(SYSTEM, job_id)

        assert raised.value.code == "job_not_cancellable"


class TestWhoMayOperateJobs:
    async def test_an_anonymous_actor_must_sign_in(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.jobs.list_jobs(Actor.anonymous())

    async def test_a_moderator_is_refused(self, oc: OpenChance) -> None:
        moderator = Actor.user(uuid.uuid4(), {Role.MODERATOR})

        with pytest.raises(PermissionDenied):
            await oc.jobs.count_jobs(moderator)

    async def test_a_refused_retry_changes_nothing(self, oc: OpenChance) -> None:
        job_id = await _job_in_state(oc, JobState.DEAD)

        with pytest.raises(PermissionDenied):
            await oc.jobs.retry_job(Actor.user(uuid.uuid4()), job_id)

        assert (await job(oc, job_id)).state is JobState.DEAD

    async def test_an_admin_may(self, oc: OpenChance) -> None:
        admin = Actor.user(uuid.uuid4(), {Role.ADMIN})

        assert (await oc.jobs.count_jobs(admin)).total == 0


async def _succeeded(oc: OpenChance, job_id: uuid.UUID) -> bool:
    return (await job(oc, job_id)).state is JobState.SUCCEEDED
