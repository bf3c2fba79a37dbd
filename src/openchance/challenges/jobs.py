"""Job handlers of the challenges domain: expiry at the deadline, and the sweep."""

from __future__ import annotations

from datetime import timedelta

from openchance.actor import Actor
from openchance.challenges.expiry import (
    EXPIRE_CHALLENGE,
    EXPIRE_DUE,
    ExpireChallenge,
    ExpireDue,
    expire_if_due,
)
from openchance.jobs import JobContext, JobRegistry, Schedule

EXPIRE_DUE_EVERY = timedelta(minutes=1)


async def expire_challenge(context: JobContext, payload: ExpireChallenge) -> None:
    """No-op when the challenge moved on, was deleted, or its deadline moved later."""
    async with context.unit_of_work() as uow:
        await expire_if_due(uow, payload.challenge_id)


async def expire_due(context: JobContext, payload: ExpireDue) -> None:
    del payload
    await context.platform.challenges.expire_due(Actor.system("jobs"))


def register(registry: JobRegistry) -> None:
    registry.add_handler(EXPIRE_CHALLENGE, expire_challenge)
    registry.add_handler(EXPIRE_DUE, expire_due)
    registry.add_schedule(
        Schedule("challenges.expire_due", EXPIRE_DUE, ExpireDue(), every=EXPIRE_DUE_EVERY)
    )
