"""The job worker: claims due jobs, runs their handlers, and keeps its leases alive.

At-least-once: a claim is a lease that a heartbeat extends; when a worker dies, its jobs
are claimed again after the lease ends, so handlers must be idempotent. Finished jobs
are acknowledged in the same transaction as the next claim, so a busy worker spends one
transaction per batch, not two per job.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import traceback
import uuid
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import anyio
import psycopg
from pydantic import ValidationError
from sqlalchemy import delete, or_, update

from openchance.db.engine import libpq_conninfo
from openchance.db.types import utcnow
from openchance.jobs import queue
from openchance.jobs.queue import ClaimedJob
from openchance.jobs.registry import JobContext
from openchance.models.workers import WorkerRecord

if TYPE_CHECKING:
    from openchance.platform import OpenChance

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 4000
MAX_CLAIM_BACKOFF_SECONDS = 30.0
SCHEDULE_TICK_SECONDS = 0.5
FORGET_WORKERS_AFTER = timedelta(days=1)


class PermanentJobError(Exception):
    """Raise from a handler when retrying cannot help: the job goes straight to dead."""


def retry_delay(attempt: int, *, base: float, maximum: float) -> float:
    """Exponential backoff with jitter: about base·2^(attempt-1), capped, between half and all."""
    delay = min(maximum, base * 2 ** max(0, attempt - 1))
    return random.uniform(delay / 2, delay)  # noqa: S311 - jitter, not a secret


class Worker:
    def __init__(
        self,
        platform: OpenChance,
        *,
        concurrency: int = 1,
        worker_id: str | None = None,
        run_schedules: bool = True,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        settings = platform.settings
        self.platform = platform
        self.concurrency = concurrency
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.run_schedules = run_schedules
        self.lease = timedelta(seconds=settings.jobs_lease_seconds)
        self.heartbeat_interval = settings.jobs_lease_seconds / 3
        self.poll_interval = settings.jobs_poll_interval_seconds
        self.shutdown_timeout = settings.jobs_shutdown_timeout_seconds
        self._running: set[uuid.UUID] = set()
        self._finished: list[uuid.UUID] = []
        self._signal: anyio.Event | None = None
        self._stop: anyio.Event | None = None
        self._idle: anyio.Event | None = None
        self._stop_requested = False
        self._closing: anyio.Event | None = None
        self.started = False

    # -- control ---------------------------------------------------------------------

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def request_stop(self) -> None:
        """Stop claiming; running jobs get ``shutdown_timeout`` to finish, then are released."""
        self._stop_requested = True
        if self._stop is not None:
            self._stop.set()
        self.wake()

    def wake(self) -> None:
        if self._signal is not None:
            self._signal.set()

    async def run(self) -> None:
        self._signal, self._stop, self._idle = anyio.Event(), anyio.Event(), anyio.Event()
        if self._stop_requested:  # asked to stop before it started: do no work
            self._stop.set()
        await self._register()
        self.platform.add_job_waker(self.wake)
        self.started = True
        logger.info("worker %s started (concurrency %d)", self.id, self.concurrency)
        self._closing = closing = anyio.Event()
        try:
            # The heartbeat and schedule loops are stopped by an event, between two
            # transactions, never cancelled in the middle of one: a cancelled query can
            # leave an SQLite connection (and its write lock) in limbo.
            async with anyio.create_task_group() as services:
                services.start_soon(self._heartbeat_loop)
                if self.run_schedules and self.platform.registry.schedules:
                    services.start_soon(self._schedule_loop)
                async with anyio.create_task_group() as listeners:
                    if not self.platform.settings.is_sqlite:
                        listeners.start_soon(self._listen_loop)
                    async with anyio.create_task_group() as running:
                        await self._claim_loop(running)
                        with anyio.move_on_after(self.shutdown_timeout):
                            while self._running:
                                await self._idle.wait()
                                self._idle = anyio.Event()
                        running.cancel_scope.cancel()
                    listeners.cancel_scope.cancel()
                closing.set()
        finally:
            with anyio.CancelScope(shield=True):
                await self._flush_finished()
                self.platform.remove_job_waker(self.wake)
                await self._unregister()
            logger.info("worker %s stopped", self.id)

    # -- the claim loop ----------------------------------------------------------------

    async def _claim_loop(self, running: anyio.abc.TaskGroup) -> None:
        assert self._stop is not None
        failures = 0
        while not self._stop.is_set():
            free = self.concurrency - len(self._running)
            claimed: list[ClaimedJob] = []
            try:
                claimed = await self._claim(free)
                failures = 0
            except Exception as exc:
                failures += 1
                if failures == 1:
                    logger.exception("worker %s could not claim jobs", self.id)
                else:
                    logger.warning("worker %s still cannot claim jobs: %s", self.id, exc)
                # Back off while the database is away, instead of hammering it.
                await self._wait(min(self.poll_interval * 2**failures, MAX_CLAIM_BACKOFF_SECONDS))
                continue
            for job in claimed:
                self._running.add(job.id)
                running.start_soon(self._run_job, job)
            if claimed and len(claimed) == free:
                await self._wait(self.poll_interval)  # full: wait for a free slot
            elif not claimed:
                await self._wait(self.poll_interval)  # idle: wait for a wake-up or a poll

    async def _claim(self, free: int) -> list[ClaimedJob]:
        finished, self._finished = self._finished, []
        if free <= 0 and not finished:
            return []
        try:
            async with self.platform.unit_of_work() as uow:
                now = utcnow()
                if finished:
                    await queue.complete_jobs(uow.session, finished, worker_id=self.id, now=now)
                if free <= 0:
                    return []
                return await queue.claim_jobs(
                    uow.session, worker_id=self.id, limit=free, now=now, lease=self.lease
                )
        except BaseException:
            self._finished = finished + self._finished
            raise

    async def _wait(self, seconds: float) -> None:
        assert self._signal is not None
        with anyio.move_on_after(seconds):
            await self._signal.wait()
        self._signal = anyio.Event()

    async def _flush_finished(self) -> None:
        try:
            await self._claim(0)
        except Exception:
            logger.exception("worker %s could not acknowledge finished jobs", self.id)

    # -- running one job ---------------------------------------------------------------

    async def _run_job(self, job: ClaimedJob) -> None:
        try:
            registered = self.platform.registry.get(job.name)
            if registered is None:
                raise LookupError(f"no handler is registered for job {job.name!r}")
            payload = registered.job_type.payload_type.model_validate(job.payload)
            context = JobContext(
                job_id=job.id,
                name=job.name,
                attempt=job.attempts,
                max_attempts=job.max_attempts,
                platform=self.platform,
            )
            timeout = registered.job_type.timeout_seconds
            with anyio.fail_after(timeout) if timeout else nullcontext():
                await registered.handler(context, payload)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                await self._release(job)
            raise
        except (ValidationError, PermanentJobError) as exc:
            with anyio.CancelScope(shield=True):
                await self._record_failure(job, exc, permanent=True)
        except Exception as exc:
            with anyio.CancelScope(shield=True):
                await self._record_failure(job, exc, permanent=False)
        else:
            self._finished.append(job.id)
        finally:
            self._running.discard(job.id)
            if self._idle is not None:
                self._idle.set()
            self.wake()

    async def _record_failure(
        self, job: ClaimedJob, exc: BaseException, *, permanent: bool
    ) -> None:
        settings = self.platform.settings
        now = utcnow()
        retry_at: datetime | None = None
        if not permanent and job.attempts < job.max_attempts:
            delay = retry_delay(
                job.attempts,
                base=settings.jobs_backoff_base_seconds,
                maximum=settings.jobs_backoff_max_seconds,
            )
            retry_at = now + timedelta(seconds=delay)
        error = "".join(traceback.format_exception(exc))[-MAX_ERROR_LENGTH:]
        log = logger.warning if retry_at else logger.error
        log(
            "job %s (%s) failed on attempt %d/%d: %s; %s",
            job.id, job.name, job.attempts, job.max_attempts, exc,
            f"retry at {retry_at.isoformat()}" if retry_at else "dead",
        )  # fmt: skip
        try:
            async with self.platform.unit_of_work() as uow:
                await queue.fail_job(
                    uow.session, job.id, worker_id=self.id, error=error, now=now, retry_at=retry_at
                )
        except Exception:
            logger.exception(
                "could not record the failure of job %s; its lease will expire", job.id
            )

    async def _release(self, job: ClaimedJob) -> None:
        try:
            async with self.platform.unit_of_work() as uow:
                await queue.release_jobs(uow.session, [job.id], worker_id=self.id, now=utcnow())
            logger.info("job %s (%s) released at shutdown", job.id, job.name)
        except Exception:
            logger.exception("could not release job %s; its lease will expire", job.id)

    # -- background duties -------------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        closing = self._closing
        assert closing is not None
        while not closing.is_set():
            try:
                await self._beat()
            except Exception:
                logger.exception("worker %s heartbeat failed", self.id)
            with anyio.move_on_after(self.heartbeat_interval):
                await closing.wait()

    async def _beat(self) -> None:
        now = utcnow()
        async with self.platform.unit_of_work() as uow:
            await queue.extend_leases(
                uow.session,
                [*self._running, *self._finished],
                worker_id=self.id,
                until=now + self.lease,
            )
            await uow.session.execute(
                update(WorkerRecord).where(WorkerRecord.id == self.id).values(last_seen_at=now)
            )
            requeued = await queue.requeue_expired_jobs(uow.session, now=now)
            buried = await queue.bury_abandoned_jobs(uow.session, now=now)
            await uow.session.execute(
                delete(WorkerRecord).where(
                    or_(
                        WorkerRecord.last_seen_at < now - FORGET_WORKERS_AFTER,
                        WorkerRecord.stopped_at < now - FORGET_WORKERS_AFTER,
                    )
                )
            )
        if requeued:
            logger.warning("%d job(s) of a worker that stopped answering are due again", requeued)
            self.wake()
        if buried:
            logger.error("%d job(s) died with their worker on their last attempt", buried)

    async def _schedule_loop(self) -> None:
        last_period: dict[str, datetime] = {}
        closing = self._closing
        assert closing is not None
        while not closing.is_set():
            now = utcnow()
            for schedule in self.platform.registry.schedules:
                period = schedule.period_start(now)
                if last_period.get(schedule.name) == period:
                    continue
                try:
                    async with self.platform.unit_of_work() as uow:
                        await uow.enqueue(
                            schedule.job_type,
                            schedule.payload,
                            idempotency_key=schedule.idempotency_key(period),
                        )
                    last_period[schedule.name] = period
                except Exception:
                    logger.exception("could not enqueue scheduled job %s", schedule.name)
            with anyio.move_on_after(SCHEDULE_TICK_SECONDS):
                await closing.wait()

    async def _listen_loop(self) -> None:
        """PostgreSQL: wake up on NOTIFY from a committed enqueue instead of waiting a poll."""
        conninfo = libpq_conninfo(self.platform.settings.database_url)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    conninfo, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {queue.NOTIFY_CHANNEL}")
                    async for _notification in connection.notifies():
                        self.wake()
            except Exception:
                logger.warning("worker %s lost its LISTEN connection; polling meanwhile", self.id)
                await anyio.sleep(max(self.poll_interval, 1.0))

    async def _register(self) -> None:
        now = utcnow()
        async with self.platform.unit_of_work() as uow:
            uow.session.add(
                WorkerRecord(
                    id=self.id,
                    hostname=socket.gethostname(),
                    pid=os.getpid(),
                    concurrency=self.concurrency,
                    started_at=now,
                    last_seen_at=now,
                )
            )

    async def _unregister(self) -> None:
        try:
            async with self.platform.unit_of_work() as uow:
                await uow.session.execute(
                    update(WorkerRecord)
                    .where(WorkerRecord.id == self.id)
                    .values(stopped_at=utcnow())
                )
        except Exception:
            logger.exception("worker %s could not record its stop", self.id)
