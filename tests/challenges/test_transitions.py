"""The transition helpers later domains call in their own unit of work (accepting an
application starts work, delivering, requesting changes, completing)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest

from openchance import OpenChance
from openchance.challenges import transitions
from openchance.challenges.repository import load_challenge
from openchance.db.uow import UnitOfWork
from openchance.errors import Conflict
from openchance.models.challenges import Challenge, ChallengeStatus
from tests.challenges.drafting import draft, events_named, opened, person, row
from tests.factories.users import SYSTEM

Step = Callable[[UnitOfWork, Challenge], Awaitable[None]]


async def take(oc: OpenChance, challenge_id: uuid.UUID, step: Step) -> None:
    async with oc.unit_of_work() as uow:
        await step(uow, await load_challenge(uow, challenge_id, for_update=True))


async def status_of(oc: OpenChance, challenge_id: uuid.UUID) -> ChallengeStatus:
    found = await row(oc, challenge_id)
    assert found is not None
    return found.status


class TestWorkSteps:
    async def test_the_work_goes_from_open_to_completed(self, oc: OpenChance) -> None:
        challenge = await opened(oc, await person(oc), SYSTEM)

        await take(oc, challenge.id, transitions.start_work)
        await take(oc, challenge.id, transitions.deliver)
        await take(oc, challenge.id, transitions.request_changes)
        await take(oc, challenge.id, transitions.deliver)
        await take(oc, challenge.id, transitions.complete)

        assert await status_of(oc, challenge.id) is ChallengeStatus.COMPLETED
        for name, count in [
            ("challenge.work_started", 1),
            ("challenge.delivered", 2),
            ("challenge.changes_requested", 1),
            ("challenge.completed", 1),
        ]:
            assert len(await events_named(oc, name)) == count

    async def test_a_step_out_of_order_is_refused_and_changes_nothing(self, oc: OpenChance) -> None:
        challenge = await opened(oc, await person(oc), SYSTEM)

        with pytest.raises(Conflict) as caught:
            await take(oc, challenge.id, transitions.complete)

        assert caught.value.code == "invalid_transition"
        assert await status_of(oc, challenge.id) is ChallengeStatus.OPEN
        assert await events_named(oc, "challenge.completed") == []

    async def test_work_cannot_start_on_a_draft(self, oc: OpenChance) -> None:
        challenge = await draft(oc, await person(oc))

        with pytest.raises(Conflict):
            await take(oc, challenge.id, transitions.start_work)

    async def test_a_transition_stamps_the_status_change(self, oc: OpenChance) -> None:
        challenge = await opened(oc, await person(oc), SYSTEM)
        before = await row(oc, challenge.id)
        assert before is not None

        await take(oc, challenge.id, transitions.start_work)

        after = await row(oc, challenge.id)
        assert after is not None
        assert after.status_changed_at is not None
        assert before.status_changed_at is not None
        assert after.status_changed_at > before.status_changed_at
