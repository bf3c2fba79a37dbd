"""Saved searches: each user keeps up to 25 searches of their own."""

from __future__ import annotations

import uuid

import anyio
import pytest
from pydantic import ValidationError

from openchance import Actor, Conflict, NotAuthenticated, NotFound, OpenChance
from openchance.models.challenges import Difficulty
from openchance.models.saved_searches import AlertFrequency
from openchance.search import saved
from openchance.search.query import SearchFilters
from openchance.search.saved_schemas import SavedSearchCreate
from tests.factories.users import actor_for, create_user


async def _user(oc: OpenChance) -> Actor:
    email = f"user-{uuid.uuid4().hex[:8]}@example.org"
    await create_user(oc, email=email)
    return await actor_for(oc, email)


def _search(name: str = "ML in euros", **filters: object) -> SavedSearchCreate:
    return SavedSearchCreate(
        name=name,
        query=SearchFilters.model_validate(filters or {"q": "machine learning"}),
        frequency=AlertFrequency.DAILY,
    )


@pytest.fixture
async def ada(oc: OpenChance) -> Actor:
    return await _user(oc)


class TestCreateSavedSearch:
    async def test_keeps_the_filters_and_the_frequency(self, oc: OpenChance, ada: Actor) -> None:
        created = await oc.saved_searches.create_saved_search(
            ada,
            _search(
                q="machine  learning",
                category=["data-science-ai"],
                difficulty=["expert"],
                reward_min=50_000,
                currency="eur",
                skills=["Python"],
            ),
        )

        [listed] = await oc.saved_searches.list_saved_searches(ada)
        assert listed == created
        assert listed.name == "ML in euros"
        assert listed.frequency is AlertFrequency.DAILY
        assert listed.query.q == "machine learning"
        assert listed.query.difficulty == [Difficulty.EXPERT]
        assert listed.query.currency == "EUR"
        assert listed.query.skills == ["python"]
        assert listed.last_run_at is None

    async def test_instant_is_the_default(self, oc: OpenChance, ada: Actor) -> None:
        created = await oc.saved_searches.create_saved_search(
            ada, SavedSearchCreate(name="Everything")
        )

        assert created.frequency is AlertFrequency.INSTANT

    async def test_at_most_25(
        self, oc: OpenChance, ada: Actor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(saved, "MAX_SAVED_SEARCHES", 2)
        await oc.saved_searches.create_saved_search(ada, _search("one"))
        await oc.saved_searches.create_saved_search(ada, _search("two"))

        with pytest.raises(Conflict) as raised:
            await oc.saved_searches.create_saved_search(ada, _search("three"))

        assert raised.value.code == "too_many_saved_searches"

    async def test_the_limit_is_per_user(
        self, oc: OpenChance, ada: Actor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(saved, "MAX_SAVED_SEARCHES", 1)
        grace = await _user(oc)
        await oc.saved_searches.create_saved_search(grace, _search())

        created = await oc.saved_searches.create_saved_search(ada, _search())

        assert created.name == "ML in euros"

    async def test_a_name_you_use_already_is_refused(self, oc: OpenChance, ada: Actor) -> None:
        await oc.saved_searches.create_saved_search(ada, _search("Data jobs"))

        with pytest.raises(Conflict) as raised:
            await oc.saved_searches.create_saved_search(ada, _search("data  JOBS"))

        assert raised.value.code == "saved_search_name_taken"

    @pytest.mark.parametrize("name", ["", "   ", "x" * 101])
    def test_a_bad_name_is_refused(self, name: str) -> None:
        with pytest.raises(ValidationError):
            SavedSearchCreate(name=name)

    def test_bad_filters_are_refused(self) -> None:
        with pytest.raises(ValidationError):
            SavedSearchCreate.model_validate({"name": "x", "query": {"reward_min": 5}})
        with pytest.raises(ValidationError):
            SavedSearchCreate.model_validate({"name": "x", "query": {"status": ["draft"]}})
        with pytest.raises(ValidationError):
            SavedSearchCreate.model_validate({"name": "x", "query": {"sort": "newest"}})

    async def test_anonymous_visitors_are_refused(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.saved_searches.create_saved_search(Actor.anonymous(), _search())

    @pytest.mark.postgres_only
    async def test_concurrent_saves_respect_the_limit(
        self, oc: OpenChance, ada: Actor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(saved, "MAX_SAVED_SEARCHES", 3)
        refused: list[str] = []

        async def save(index: int) -> None:
            try:
                await oc.saved_searches.create_saved_search(ada, _search(f"search {index}"))
            except Conflict as error:
                refused.append(error.code)

        async with anyio.create_task_group() as group:
            for index in range(6):
                group.start_soon(save, index)

        assert len(await oc.saved_searches.list_saved_searches(ada)) == 3
        assert refused == ["too_many_saved_searches"] * 3


class TestListSavedSearches:
    async def test_only_yours_oldest_first(self, oc: OpenChance, ada: Actor) -> None:
        grace = await _user(oc)
        await oc.saved_searches.create_saved_search(ada, _search("first"))
        await oc.saved_searches.create_saved_search(grace, _search("not mine"))
        await oc.saved_searches.create_saved_search(ada, _search("second"))

        listed = await oc.saved_searches.list_saved_searches(ada)

        assert [item.name for item in listed] == ["first", "second"]


class TestDeleteSavedSearch:
    async def test_deletes_yours(self, oc: OpenChance, ada: Actor) -> None:
        created = await oc.saved_searches.create_saved_search(ada, _search())

        await oc.saved_searches.delete_saved_search(ada, created.id)

        assert await oc.saved_searches.list_saved_searches(ada) == []

    async def test_someone_elses_is_not_found(self, oc: OpenChance, ada: Actor) -> None:
        grace = await _user(oc)
        theirs = await oc.saved_searches.create_saved_search(grace, _search())

        with pytest.raises(NotFound):
            await oc.saved_searches.delete_saved_search(ada, theirs.id)

        assert len(await oc.saved_searches.list_saved_searches(grace)) == 1

    async def test_deleting_twice_is_not_found(self, oc: OpenChance, ada: Actor) -> None:
        created = await oc.saved_searches.create_saved_search(ada, _search())
        await oc.saved_searches.delete_saved_search(ada, created.id)

        with pytest.raises(NotFound):
            await oc.saved_searches.delete_saved_search(ada, created.id)
