"""The benchmark's job module: one job type, ``bench.noop``, whose handler does nothing.

Workers load it through ``OPENCHANCE_JOB_MODULES=bench.noop_jobs``, which calls
:func:`register`. With a handler that costs nothing, what the benchmark measures is
the queue itself: claiming, running the handler machinery, and acknowledging.
"""

from __future__ import annotations

from pydantic import BaseModel

from openchance.jobs import JobContext, JobRegistry, JobType


class NoopPayload(BaseModel):
    """A sequence number, so the payload is not empty (like a real job's)."""

    n: int = 0


NOOP = JobType("bench.noop", NoopPayload, max_attempts=3)


async def run_noop(context: JobContext, payload: NoopPayload) -> None:
    """Do nothing: the benchmark measures the queue, not the work."""
    return None


def register(registry: JobRegistry) -> None:
    registry.add_handler(NOOP, run_noop)
