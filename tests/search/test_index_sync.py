"""The ``search.index_challenge`` job keeps the index in step with the challenges: each change
schedules it in its unit of work, and the job writes what the challenge is when it runs."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest
from sqlalchemy import delete, func, select

from openchance import Actor, OpenChance
from openchance.db.types import utcnow
from openchance.jobs import JobRegistry
from openchance.models.challenges import (
    Challenge,
    ChallengeInvite,
    ChallengeStatus,
    InviteStatus,
    Visibility,
)
from openchance.models.search import SearchDocumentRow
from openchance.search.query import SearchFilters, SearchQuery, SearchViewer
from openchance.search.sync import INDEX_CHALLENGE, schedule_index
from tests.factories.challenges import insert_challenge
from tests.factories.users import create_user
from tests.support.jobs import drain

ANONYMOUS = Actor.anonymous()


@pytest.fixture
async def owner(oc: OpenChance) -> uuid.UUID:
    return await create_user(oc, email="owner@example.org")


async def change(oc: OpenChance, challenge_id: uuid.UUID, **fields: Any) -> None:
    """What a use case does: change the challenge and schedule its index job, in one
    transaction."""
    async with oc.unit_of_work() as uow:
        challenge = await uow.session.get(Challenge, challenge_id)
        assert challenge is not None
        for name, value in fields.items():
            setattr(challenge, name, value)
        await schedule_index(uow, challenge_id)


async def titles(oc: OpenChance, actor: Actor = ANONYMOUS, **query: Any) -> list[str]:
    results = await oc.search.search(actor, SearchQuery(**query))
    return [item.title for item in results.items]


async def indexed(oc: OpenChance, owner_id: uuid.UUID, **fields: Any) -> uuid.UUID:
    challenge_id = await insert_challenge(oc, owner_id, **fields)
    async with oc.unit_of_work() as uow:
        await schedule_index(uow, challenge_id)
    await drain(oc)
    return challenge_id


class TestIndexJob:
    def test_the_core_registry_handles_it(self, registry: JobRegistry) -> None:
        assert registry.get(INDEX_CHALLENGE.name) is not None

    async def test_a_published_challenge_is_found_once_its_job_ran(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        challenge_id = await insert_challenge(oc, owner, title="Machine learning for bees")
        async with oc.unit_of_work() as uow:
            await schedule_index(uow, challenge_id)

        before = await titles(oc, q="bees")
        await drain(oc)

        assert before == []
        assert await titles(oc, q="machine lerning bees") == ["Machine learning for bees"]

    async def test_an_edit_replaces_the_document(self, oc: OpenChance, owner: uuid.UUID) -> None:
        challenge_id = await indexed(oc, owner, title="Old title")

        await change(oc, challenge_id, title="Brand new title", skills=["haskell"])
        await drain(oc)

        assert await titles(oc, q="old") == []
        assert await titles(oc, q="brand") == ["Brand new title"]
        assert await titles(oc, skills=["haskell"]) == ["Brand new title"]

    async def test_a_cancelled_challenge_changes_status(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        challenge_id = await indexed(oc, owner, title="Bakery")

        await change(oc, challenge_id, status=ChallengeStatus.CANCELLED)
        await drain(oc)

        assert await titles(oc, q="bakery") == []
        assert await titles(oc, q="bakery", status=[ChallengeStatus.CANCELLED]) == ["Bakery"]

    @pytest.mark.parametrize("status", [ChallengeStatus.DRAFT, ChallengeStatus.PENDING_REVIEW])
    async def test_an_unpublished_challenge_leaves_the_index(
        self, oc: OpenChance, owner: uuid.UUID, status: ChallengeStatus
    ) -> None:
        challenge_id = await indexed(oc, owner, title="Bakery")

        await change(oc, challenge_id, status=status, published_at=None)
        await drain(oc)

        assert await _documents(oc) == 0

    async def test_a_deleted_challenge_leaves_the_index(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        challenge_id = await indexed(oc, owner, title="Bakery")

        async with oc.unit_of_work() as uow:
            await uow.session.execute(delete(Challenge).where(Challenge.id == challenge_id))
            await schedule_index(uow, challenge_id)
        await drain(oc)

        assert await _documents(oc) == 0

    async def test_a_draft_is_never_indexed(self, oc: OpenChance, owner: uuid.UUID) -> None:
        await indexed(oc, owner, title="Bakery", status=ChallengeStatus.DRAFT)

        assert await _documents(oc) == 0

    async def test_an_invitation_lets_the_invitee_find_a_private_challenge(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        invitee = await create_user(oc, email="invitee@example.org")
        challenge_id = await indexed(oc, owner, title="Secret", visibility=Visibility.PRIVATE)
        as_invitee = Actor.user(invitee)
        before = await titles(oc, as_invitee)

        async with oc.unit_of_work() as uow:
            uow.session.add(
                ChallengeInvite(
                    challenge_id=challenge_id,
                    user_id=invitee,
                    status=InviteStatus.PENDING,
                    created_at=utcnow(),
                )
            )
            await schedule_index(uow, challenge_id)
        await drain(oc)

        assert before == []
        assert await titles(oc, as_invitee) == ["Secret"]
        assert await titles(oc, Actor.user(owner)) == ["Secret"]
        assert await titles(oc) == []

    async def test_a_declined_invitation_hides_it_again(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        invitee = await create_user(oc, email="invitee@example.org")
        challenge_id = await indexed(
            oc, owner, title="Secret", visibility=Visibility.PRIVATE, invitees=[invitee]
        )

        async with oc.unit_of_work() as uow:
            invite = await uow.session.scalar(
                select(ChallengeInvite).where(ChallengeInvite.challenge_id == challenge_id)
            )
            assert invite is not None
            invite.status = InviteStatus.DECLINED
            await schedule_index(uow, challenge_id)
        await drain(oc)

        assert await titles(oc, Actor.user(invitee)) == []

    async def test_running_it_again_changes_nothing(self, oc: OpenChance, owner: uuid.UUID) -> None:
        challenge_id = await indexed(oc, owner, title="Bakery")

        first = await oc.search.index_challenge(challenge_id)
        second = await oc.search.index_challenge(challenge_id)

        assert first == second
        assert await _documents(oc) == 1

    async def test_an_unknown_challenge_is_no_error(self, oc: OpenChance) -> None:
        assert await oc.search.index_challenge(uuid.uuid4()) is None

    async def test_jobs_for_many_challenges_at_once_share_the_vocabulary(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        ids = [
            await insert_challenge(oc, owner, title=f"Quantum annealing schedule {n}")
            for n in range(8)
        ]

        async with anyio.create_task_group() as group:
            for challenge_id in ids:
                group.start_soon(oc.search.index_challenge, challenge_id)

        assert len(await titles(oc, q="quantum anealing")) == 8


class TestMatchingIds:
    async def test_the_candidates_that_match_the_filters(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        bakery = await insert_challenge(oc, owner, title="Bakery forecast", category="design")
        logo = await insert_challenge(oc, owner, title="Logo", category="design")
        other = await insert_challenge(oc, owner, title="Bakery menu", category="writing-content")

        matching = await oc.search.matching_ids(
            SearchFilters(q="bakery", category=["design"]), SearchViewer(), [bakery, logo, other]
        )

        assert matching == {bakery}

    async def test_private_challenges_match_only_for_their_viewers(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        invitee = await create_user(oc, email="invitee@example.org")
        secret = await insert_challenge(
            oc, owner, title="Secret", visibility=Visibility.PRIVATE, invitees=[invitee]
        )

        stranger = await oc.search.matching_ids(SearchFilters(), SearchViewer(), [secret])

        assert stranger == set()
        for viewer in (owner, invitee):
            assert await oc.search.matching_ids(
                SearchFilters(), SearchViewer(user_id=viewer), [secret], refresh=False
            ) == {secret}

    async def test_without_refresh_only_what_is_indexed_counts(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        challenge_id = await insert_challenge(oc, owner, title="Bakery")

        matching = await oc.search.matching_ids(
            SearchFilters(), SearchViewer(), [challenge_id], refresh=False
        )

        assert matching == set()


async def _documents(oc: OpenChance) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        return int(
            await uow.session.scalar(select(func.count()).select_from(SearchDocumentRow)) or 0
        )
