"""Keeping the search index in step with the challenges: outbox jobs.

Every use case that changes something a search can see (publishing, editing, status changes,
invitations of a private challenge, category renames) calls :func:`schedule_index` inside its
unit of work; the job runs after the commit and reads the challenge as it then is, so jobs
may run twice or out of order without harm.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from pydantic import BaseModel

from openchance.jobs.types import JobType

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork


class IndexChallenge(BaseModel):
    challenge_id: uuid.UUID


INDEX_CHALLENGE = JobType("search.index_challenge", IndexChallenge, max_attempts=25, priority=-1)
"""Bring one challenge's search document up to date (add, replace or remove it)."""


async def schedule_index(uow: UnitOfWork, challenge_id: uuid.UUID) -> None:
    """Re-index ``challenge_id`` once this unit of work commits."""
    await uow.enqueue(INDEX_CHALLENGE, IndexChallenge(challenge_id=challenge_id))
