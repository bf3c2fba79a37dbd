"""``SearchService.reindex``: rebuild the index and its vocabulary from the challenges."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from openchance import Actor, OpenChance
from openchance.models.challenges import Challenge, ChallengeStatus
from openchance.models.search import SearchWord
from openchance.search import service as search_service
from openchance.search.query import SearchQuery
from tests.factories.challenges import insert_challenge
from tests.factories.users import create_user

STAFF = Actor.system("tests")


@pytest.fixture
async def owner(oc: OpenChance) -> uuid.UUID:
    return await create_user(oc, email="owner@example.org")


async def staff_titles(oc: OpenChance, **query: object) -> list[str]:
    every_status = [
        ChallengeStatus.OPEN,
        ChallengeStatus.IN_PROGRESS,
        ChallengeStatus.IN_REVIEW,
        ChallengeStatus.COMPLETED,
        ChallengeStatus.CANCELLED,
        ChallengeStatus.EXPIRED,
    ]
    results = await oc.search.search(STAFF, SearchQuery(status=every_status, limit=100, **query))
    return sorted(item.title for item in results.items)


async def vocabulary(oc: OpenChance) -> set[str]:
    async with oc.unit_of_work(read_only=True) as uow:
        return set(await uow.session.scalars(select(SearchWord.word)))


class TestReindex:
    async def test_every_published_challenge_is_indexed_and_no_draft(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        await insert_challenge(oc, owner, title="open one")
        await insert_challenge(oc, owner, title="done one", status=ChallengeStatus.COMPLETED)
        await insert_challenge(oc, owner, title="draft one", status=ChallengeStatus.DRAFT)
        await insert_challenge(
            oc, owner, title="waiting one", status=ChallengeStatus.PENDING_REVIEW
        )

        count = await oc.search.reindex()

        assert count == 2
        assert await staff_titles(oc) == ["done one", "open one"]

    async def test_documents_of_challenges_gone_from_search_are_dropped(
        self, oc: OpenChance, owner: uuid.UUID
    ) -> None:
        challenge_id = await insert_challenge(oc, owner, title="Soon a draft again")
        await oc.search.reindex()
        async with oc.unit_of_work() as uow:
            challenge = await uow.session.get(Challenge, challenge_id)
            assert challenge is not None
            challenge.status = ChallengeStatus.DRAFT
            challenge.published_at = None

        await oc.search.reindex()

        assert await staff_titles(oc) == []

    async def test_the_vocabulary_is_rebuilt(self, oc: OpenChance, owner: uuid.UUID) -> None:
        await insert_challenge(oc, owner, title="Zeppelin mooring", skills=["airships"])
        await oc.search.reindex()
        async with oc.unit_of_work() as uow:
            uow.session.add(SearchWord(word="stalewordfromlongago"))

        await oc.search.reindex()

        words = await vocabulary(oc)
        assert {"zeppelin", "mooring", "airships"} <= words
        assert "stalewordfromlongago" not in words
        assert await staff_titles(oc, q="zepelin moring") == ["Zeppelin mooring"]

    async def test_progress_is_reported_batch_by_batch(
        self, oc: OpenChance, owner: uuid.UUID, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(search_service, "REINDEX_BATCH", 2)
        for n in range(5):
            await insert_challenge(oc, owner, title=f"Challenge {n}")
        reports: list[tuple[int, int]] = []

        await oc.search.reindex(lambda done, total: reports.append((done, total)))

        assert reports == [(0, 5), (2, 5), (4, 5), (5, 5)]

    async def test_an_empty_installation(self, oc: OpenChance) -> None:
        reports: list[tuple[int, int]] = []

        assert await oc.search.reindex(lambda done, total: reports.append((done, total))) == 0
        assert reports == [(0, 0)]
