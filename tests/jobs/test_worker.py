"""A worker runs due jobs, retries failures with backoff, and buries what keeps failing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import anyio
import pytest
from pydantic import BaseModel
from sqlalchemy import update

from openchance import OpenChance, Settings
from openchance.db.types import utcnow
from openchance.jobs import JobContext, JobRegistry, JobType
from openchance.jobs.schemas import JobDetail
from openchance.jobs.worker import PermanentJobError, retry_delay
from openchance.models.jobs import Job, JobState
from tests.support.jobs import job, running_worker
from tests.support.waiting import eventually


class Note(BaseModel):
    text: str


NOTE = JobType("test.note", Note, max_attempts=3)
SLOW = JobType("test.slow", Note, max_attempts=3)
TIMED = JobType("test.timed", Note, max_attempts=1, timeout_seconds=0.2)
UNKNOWN = JobType("test.unknown", Note, max_attempts=2)


async def _enqueue(
    oc: OpenChance,
    job_type: JobType[Note] = NOTE,
    *,
    delay: timedelta | None = None,
) -> uuid.UUID | None:
    async with oc.unit_of_work() as uow:
        return await uow.enqueue(job_type, Note(text="hi"), delay=delay)


class TestRunningJobs:
    async def test_a_due_job_runs_and_succeeds(self, oc: OpenChance, registry: JobRegistry) -> None:
        seen: list[str] = []

        @registry.handler(NOTE)
        async def handle(context: JobContext, payload: Note) -> None:
            seen.append(payload.text)

        job_id = await _enqueue(oc)
        async with running_worker(oc):
            done = await eventually(lambda: _in_state(oc, job_id, JobState.SUCCEEDED))

        assert seen == ["hi"]
        assert done.attempts == 1
        assert done.finished_at is not None

    async def test_a_job_due_later_waits_for_its_time(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        @registry.handler(NOTE)
        async def handle(context: JobContext, payload: Note) -> None:
            pass

        job_id = await _enqueue(oc, delay=timedelta(hours=1))
        async with running_worker(oc):
            await anyio.sleep(0.3)

        assert (await job(oc, job_id)).state is JobState.PENDING

    async def test_higher_priority_runs_first(self, oc: OpenChance, registry: JobRegistry) -> None:
        order: list[int] = []

        class Numbered(BaseModel):
            number: int

        numbered = JobType("test.numbered", Numbered)

        @registry.handler(numbered)
        async def handle(context: JobContext, payload: Numbered) -> None:
            order.append(payload.number)

        async with oc.unit_of_work() as uow:
            await uow.enqueue(numbered, Numbered(number=3), priority=5)
            await uow.enqueue(numbered, Numbered(number=1), priority=-5)
            await uow.enqueue(numbered, Numbered(number=2), priority=0)
        async with running_worker(oc):
            await eventually(lambda: _true(len(order) == 3))

        assert order == [1, 2, 3]


class TestFailures:
    async def test_a_failing_job_is_retried_then_dead_after_max_attempts(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        attempts: list[int] = []

        @registry.handler(NOTE)
        async def handle(context: JobContext, payload: Note) -> None:
            attempts.append(context.attempt)
            raise RuntimeError(f"boom {context.attempt}")

        job_id = await _enqueue(oc)
        async with running_worker(oc):
            dead = await eventually(lambda: _in_state(oc, job_id, JobState.DEAD))

        assert attempts == [1, 2, 3]
        assert dead.attempts == 3
        assert dead.last_error is not None
        assert "RuntimeError: boom 3" in dead.last_error

    async def test_a_failed_attempt_is_scheduled_after_a_backoff(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        @registry.handler(NOTE)
        async def handle(context: JobContext, payload: Note) -> None:
            raise RuntimeError("later")

        oc.settings.jobs_backoff_base_seconds = 60.0
        job_id = await _enqueue(oc)
        before = utcnow()
        async with running_worker(oc):
            retry = await eventually(lambda: _failed_once(oc, job_id))

        assert retry.state is JobState.PENDING
        assert before + timedelta(seconds=29) <= retry.run_at <= utcnow() + timedelta(seconds=61)

    async def test_a_permanent_error_goes_straight_to_dead(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        @registry.handler(NOTE)
        async def handle(context: JobContext, payload: Note) -> None:
            raise PermanentJobError("cannot ever work")

        job_id = await _enqueue(oc)
        async with running_worker(oc):
            dead = await eventually(lambda: _in_state(oc, job_id, JobState.DEAD))

        assert dead.attempts == 1

    async def test_a_payload_that_no_longer_validates_goes_straight_to_dead(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        @registry.handler(NOTE)
        async def handle(context: JobContext, payload: Note) -> None:
            raise AssertionError("must not run")

        job_id = await _enqueue(oc)
        async with oc.unit_of_work() as uow:
            await uow.session.execute(update(Job).where(Job.id == job_id).values(payload={}))
        async with running_worker(oc):
            dead = await eventually(lambda: _in_state(oc, job_id, JobState.DEAD))

        assert dead.attempts == 1
        assert "ValidationError" in (dead.last_error or "")

    async def test_a_job_without_a_handler_fails_and_says_so(self, oc: OpenChance) -> None:
        job_id = await _enqueue(oc, UNKNOWN)
        async with running_worker(oc):
            dead = await eventually(lambda: _in_state(oc, job_id, JobState.DEAD))

        assert "no handler is registered for job 'test.unknown'" in (dead.last_error or "")

    async def test_a_job_over_its_time_limit_fails(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        @registry.handler(TIMED)
        async def handle(context: JobContext, payload: Note) -> None:
            await anyio.sleep(30)

        job_id = await _enqueue(oc, TIMED)
        async with running_worker(oc):
            dead = await eventually(lambda: _in_state(oc, job_id, JobState.DEAD))

        assert "TimeoutError" in (dead.last_error or "")


class TestBackoff:
    def test_the_delay_doubles_with_each_attempt_and_is_jittered(self) -> None:
        for attempt, full in [(1, 5.0), (2, 10.0), (3, 20.0), (4, 40.0)]:
            delay = retry_delay(attempt, base=5.0, maximum=3600.0)
            assert full / 2 <= delay <= full

    def test_the_delay_is_capped(self) -> None:
        assert retry_delay(40, base=5.0, maximum=100.0) <= 100.0


class TestLeases:
    async def test_a_job_whose_worker_vanished_is_claimed_again_after_its_lease(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        seen: list[int] = []

        @registry.handler(NOTE)
        async def handle(context: JobContext, payload: Note) -> None:
            seen.append(context.attempt)

        job_id = await _enqueue(oc)
        await _pretend_claimed(oc, job_id, attempts=1, lease_ends_in=timedelta(seconds=-1))
        async with running_worker(oc):
            done = await eventually(lambda: _in_state(oc, job_id, JobState.SUCCEEDED))

        assert seen == [2]
        assert done.attempts == 2

    async def test_a_job_with_a_live_lease_is_left_alone(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        @registry.handler(NOTE)
        async def handle(context: JobContext, payload: Note) -> None:
            raise AssertionError("must not run")

        job_id = await _enqueue(oc)
        await _pretend_claimed(oc, job_id, attempts=1, lease_ends_in=timedelta(minutes=5))
        async with running_worker(oc):
            await anyio.sleep(0.3)

        assert (await job(oc, job_id)).state is JobState.RUNNING

    async def test_a_job_that_died_with_its_worker_on_its_last_attempt_is_dead(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        @registry.handler(NOTE)
        async def handle(context: JobContext, payload: Note) -> None:
            raise AssertionError("must not run")

        oc.settings.jobs_lease_seconds = 0.3  # heartbeat every 0.1 s buries it quickly
        job_id = await _enqueue(oc)
        await _pretend_claimed(oc, job_id, attempts=3, lease_ends_in=timedelta(seconds=-1))
        async with running_worker(oc):
            dead = await eventually(lambda: _in_state(oc, job_id, JobState.DEAD))

        assert "lease expired" in (dead.last_error or "")


class TestGracefulShutdown:
    async def test_a_job_still_running_at_shutdown_is_released_uncounted(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        started = anyio.Event()

        @registry.handler(SLOW)
        async def handle(context: JobContext, payload: Note) -> None:
            started.set()
            await anyio.sleep(60)

        oc.settings.jobs_shutdown_timeout_seconds = 0.2
        job_id = await _enqueue(oc, SLOW)
        async with running_worker(oc):
            await started.wait()

        released = await job(oc, job_id)
        assert released.state is JobState.PENDING
        assert released.attempts == 0
        assert released.locked_by is None

    async def test_a_job_that_finishes_within_the_shutdown_timeout_succeeds(
        self, oc: OpenChance, registry: JobRegistry
    ) -> None:
        started = anyio.Event()

        @registry.handler(SLOW)
        async def handle(context: JobContext, payload: Note) -> None:
            started.set()
            await anyio.sleep(0.3)

        oc.settings.jobs_shutdown_timeout_seconds = 5
        job_id = await _enqueue(oc, SLOW)
        async with running_worker(oc):
            await started.wait()

        assert (await job(oc, job_id)).state is JobState.SUCCEEDED


class TestRegistry:
    def test_two_handlers_for_one_job_are_refused(self, registry: JobRegistry) -> None:
        async def first(context: JobContext, payload: Note) -> None:
            pass

        async def second(context: JobContext, payload: Note) -> None:
            pass

        registry.add_handler(NOTE, first)
        with pytest.raises(ValueError, match="already registered"):
            registry.add_handler(NOTE, second)


async def _true(value: bool) -> bool:
    return value


async def _in_state(oc: OpenChance, job_id: uuid.UUID | None, state: JobState) -> JobDetail | None:
    current = await job(oc, job_id)
    return current if current.state is state else None


async def _failed_once(oc: OpenChance, job_id: uuid.UUID | None) -> JobDetail | None:
    current = await job(oc, job_id)
    return current if current.last_error and current.state is JobState.PENDING else None


async def _pretend_claimed(
    oc: OpenChance, job_id: uuid.UUID | None, *, attempts: int, lease_ends_in: timedelta
) -> None:
    """Make the job look claimed by a worker that is gone (or still alive)."""
    now = utcnow()
    async with oc.unit_of_work() as uow:
        await uow.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                state=JobState.RUNNING,
                attempts=attempts,
                locked_by="elsewhere:1:gone",
                locked_until=now + lease_ends_in,
                started_at=now,
            )
        )


@pytest.mark.postgres_only
class TestWakeUpOnPostgres:
    async def test_an_enqueue_from_another_process_wakes_an_idle_worker_at_once(
        self, settings: Settings, registry: JobRegistry
    ) -> None:
        ran = anyio.Event()

        @registry.handler(NOTE)
        async def handle(context: JobContext, payload: Note) -> None:
            ran.set()

        slow_polling = settings.model_copy(update={"jobs_poll_interval_seconds": 60.0})
        async with (
            OpenChance(slow_polling, registry=registry) as worker_side,
            OpenChance(slow_polling, registry=registry) as other_process,
            running_worker(worker_side) as worker,
        ):
            await eventually(lambda: _true(worker.started))
            await anyio.sleep(0.5)  # idle now: the next poll is a minute away
            await _enqueue(other_process)
            with anyio.fail_after(5):
                await ran.wait()
