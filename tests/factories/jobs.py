"""Jobs in any state, written straight to the job table (no worker needed)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy import update

from openchance import OpenChance
from openchance.db.types import utcnow
from openchance.jobs import JobType
from openchance.models import Job, JobState


class FactoryPayload(BaseModel):
    note: str = "made by tests.factories.jobs"


async def create_job(
    oc: OpenChance,
    *,
    state: JobState = JobState.PENDING,
    name: str = "test.job",
    last_error: str | None = None,
) -> uuid.UUID:
    """Enqueue a one-attempt job, then move it to ``state`` as a worker would have.

    A dead job without ``last_error`` gets ``"boom"``.
    """
    async with oc.unit_of_work() as uow:
        job_id = await uow.enqueue(JobType(name, FactoryPayload, max_attempts=1), FactoryPayload())
    assert job_id is not None
    if state is not JobState.PENDING or last_error is not None:
        async with oc.unit_of_work() as uow:
            await uow.session.execute(
                update(Job).where(Job.id == job_id).values(**_columns_for(state, last_error))
            )
    return job_id


def _columns_for(state: JobState, last_error: str | None) -> dict[str, object]:
    now = utcnow()
    columns: dict[str, object] = {"state": state, "last_error": last_error, "updated_at": now}
    if state is JobState.RUNNING:
        columns |= {
            "attempts": 1,
            "started_at": now,
            "locked_by": "tests.factories",
            "locked_until": now + timedelta(minutes=5),
        }
    elif state in (JobState.SUCCEEDED, JobState.DEAD):
        columns |= {"attempts": 1, "started_at": now, "finished_at": now}
        if state is JobState.DEAD and last_error is None:
            columns["last_error"] = "boom"
    elif state is JobState.CANCELLED:
        columns["finished_at"] = now
    return columns
