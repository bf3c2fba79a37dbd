"""Job handlers that worker subprocesses load in tests (``OPENCHANCE_JOB_MODULES``).

Their side effects are files in a directory the test owns, so the test can count them
from outside the worker process.
"""

from __future__ import annotations

from pathlib import Path

import anyio
from pydantic import BaseModel
from sqlalchemy import text

from openchance.jobs import JobContext, JobRegistry, JobType


class Effect(BaseModel):
    key: str
    directory: str
    hold_seconds: float = 0.0


class Record(BaseModel):
    table: str


EFFECT = JobType("test.effect", Effect, max_attempts=5)
RECORD = JobType("test.record", Record, max_attempts=3)


async def apply_effect(context: JobContext, payload: Effect) -> None:
    """An idempotent side effect keyed by ``payload.key``; the first attempt then lingers."""
    directory = Path(payload.directory)
    with (directory / f"{payload.key}.runs").open("a") as runs:
        runs.write(f"{context.attempt}\n")
    try:
        with (directory / f"{payload.key}.effect").open("x") as effect:
            effect.write("done\n")
    except FileExistsError:
        pass  # done by an earlier attempt: the key makes the effect happen once
    if context.attempt == 1 and payload.hold_seconds:
        (directory / f"{payload.key}.holding").touch()
        await anyio.sleep(payload.hold_seconds)


async def record_run(context: JobContext, payload: Record) -> None:
    """Insert one row per run (no unique key), so duplicate runs are visible."""
    async with context.unit_of_work() as uow:
        await uow.session.execute(
            text(f"INSERT INTO {payload.table} (job_id) VALUES (:job_id)"),
            {"job_id": str(context.job_id)},
        )


def register(registry: JobRegistry) -> None:
    registry.add_handler(EFFECT, apply_effect)
    registry.add_handler(RECORD, record_run)
