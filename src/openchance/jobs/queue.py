"""The job table's statements: insert, claim, finish, retry, release. Same SQL on both engines.

On PostgreSQL claims use ``FOR UPDATE SKIP LOCKED`` so workers never wait on each other;
on SQLite the clause is dropped and write transactions are serialised by ``BEGIN
IMMEDIATE`` instead (see :mod:`openchance.db.engine`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from openchance.db.types import utcnow
from openchance.models.jobs import Job, JobState

NOTIFY_CHANNEL = "openchance_jobs"
LEASE_EXPIRED_ERROR = "the worker running this job stopped answering (lease expired)"


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: uuid.UUID
    name: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


async def insert_job(
    session: AsyncSession,
    *,
    name: str,
    payload: dict[str, Any],
    run_at: datetime,
    priority: int,
    max_attempts: int,
    idempotency_key: str | None,
    transaction_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """Insert one pending job; with an idempotency key already taken, insert nothing."""
    job_id = uuid.uuid4()
    now = utcnow()
    values = {
        "id": job_id,
        "name": name,
        "payload": payload,
        "state": JobState.PENDING,
        "priority": priority,
        "run_at": run_at,
        "attempts": 0,
        "max_attempts": max_attempts,
        "idempotency_key": idempotency_key,
        "transaction_id": transaction_id,
        "created_at": now,
        "updated_at": now,
    }
    insert = pg_insert if _dialect(session) == "postgresql" else sqlite_insert
    statement = (
        insert(Job)
        .values(values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Job.id)
    )
    result = await session.execute(statement)
    return result.scalar_one_or_none()


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def notify_workers(session: AsyncSession) -> None:
    """Wake PostgreSQL workers listening on the channel (delivered only on commit)."""
    if _dialect(session) == "postgresql":
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})


async def claim_jobs(
    session: AsyncSession, *, worker_id: str, limit: int, now: datetime, lease: timedelta
) -> list[ClaimedJob]:
    """Reserve up to ``limit`` due pending jobs for ``worker_id``: highest priority, then oldest.

    Only pending jobs are considered, so the ``ix_jobs_claim`` index serves both the filter
    and the order (no sort of the whole backlog); jobs of dead workers come back to pending
    through :func:`requeue_expired_jobs`.
    """
    due = (
        select(Job.id)
        .where(Job.state == JobState.PENDING, Job.run_at <= now)
        .order_by(Job.priority, Job.run_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Job)
        .where(Job.id.in_(due.scalar_subquery()))
        .values(
            state=JobState.RUNNING,
            locked_by=worker_id,
            locked_until=now + lease,
            attempts=Job.attempts + 1,
            started_at=now,
            updated_at=now,
        )
        .returning(Job.id, Job.name, Job.payload, Job.attempts, Job.max_attempts)
        .execution_options(synchronize_session=False)
    )
    rows = (await session.execute(statement)).all()
    return [ClaimedJob(*row) for row in rows]


def _owned(job_ids: Sequence[uuid.UUID], worker_id: str) -> Any:
    return and_(Job.id.in_(job_ids), Job.state == JobState.RUNNING, Job.locked_by == worker_id)


async def complete_jobs(
    session: AsyncSession, job_ids: Sequence[uuid.UUID], *, worker_id: str, now: datetime
) -> int:
    """Mark jobs this worker still owns as succeeded; returns how many it still owned."""
    result = await session.execute(
        update(Job)
        .where(_owned(job_ids, worker_id))
        .values(
            state=JobState.SUCCEEDED,
            locked_by=None,
            locked_until=None,
            finished_at=now,
            updated_at=now,
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def fail_job(
    session: AsyncSession,
    job_id: uuid.UUID,
    *,
    worker_id: str,
    error: str,
    now: datetime,
    retry_at: datetime | None,
) -> bool:
    """Record a failed attempt: back to pending at ``retry_at``, or dead when None."""
    values: dict[str, Any] = {
        "last_error": error,
        "locked_by": None,
        "locked_until": None,
        "updated_at": now,
    }
    if retry_at is None:
        values |= {"state": JobState.DEAD, "finished_at": now}
    else:
        values |= {"state": JobState.PENDING, "run_at": retry_at}
    result = await session.execute(
        update(Job)
        .where(_owned([job_id], worker_id))
        .values(values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def release_jobs(
    session: AsyncSession, job_ids: Sequence[uuid.UUID], *, worker_id: str, now: datetime
) -> int:
    """Hand running jobs back (graceful shutdown): pending now, and the attempt not counted."""
    result = await session.execute(
        update(Job)
        .where(_owned(job_ids, worker_id))
        .values(
            state=JobState.PENDING,
            run_at=now,
            attempts=Job.attempts - 1,
            locked_by=None,
            locked_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def extend_leases(
    session: AsyncSession,
    job_ids: Sequence[uuid.UUID],
    *,
    worker_id: str,
    until: datetime,
) -> int:
    if not job_ids:
        return 0
    result = await session.execute(
        update(Job)
        .where(_owned(job_ids, worker_id))
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def requeue_expired_jobs(session: AsyncSession, *, now: datetime) -> int:
    """Jobs whose worker stopped renewing the lease (it died) are due again, attempts kept."""
    result = await session.execute(
        update(Job)
        .where(
            Job.state == JobState.RUNNING,
            Job.locked_until < now,
            Job.attempts < Job.max_attempts,
        )
        .values(
            state=JobState.PENDING,
            run_at=now,
            locked_by=None,
            locked_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def bury_abandoned_jobs(session: AsyncSession, *, now: datetime) -> int:
    """Jobs whose worker died on their last attempt go to dead (nobody may claim them again)."""
    result = await session.execute(
        update(Job)
        .where(
            Job.state == JobState.RUNNING,
            Job.locked_until < now,
            Job.attempts >= Job.max_attempts,
        )
        .values(
            state=JobState.DEAD,
            last_error=LEASE_EXPIRED_ERROR,
            locked_by=None,
            locked_until=None,
            finished_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def count_by_state(session: AsyncSession) -> dict[JobState, int]:
    rows = (await session.execute(select(Job.state, func.count()).group_by(Job.state))).all()
    counts = dict.fromkeys(JobState, 0)
    for state, count in rows:
        counts[JobState(state)] = int(count)
    return counts
