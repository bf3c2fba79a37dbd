"""The ``search.index_challenge`` job (its type and :func:`schedule_index` are in ``sync.py``)."""

from __future__ import annotations

from openchance.jobs import JobContext, JobRegistry
from openchance.search.sync import INDEX_CHALLENGE, IndexChallenge


async def index_challenge(context: JobContext, payload: IndexChallenge) -> None:
    """Reads the challenge as it is when the job runs: running twice, or after a later job
    of the same challenge, writes the same document."""
    await context.platform.search.index_challenge(payload.challenge_id)


def register(registry: JobRegistry) -> None:
    registry.add_handler(INDEX_CHALLENGE, index_challenge)
