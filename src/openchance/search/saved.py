"""Saved searches: a user keeps a search's filters and is alerted of new matches.

The alerts themselves are jobs (``search.alerts``). A user sees and changes only their own
saved searches: someone else's is not found.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from openchance.accounts.policy import require_user
from openchance.accounts.repository import load_user
from openchance.actor import Actor
from openchance.errors import Conflict, NotFound
from openchance.models.saved_searches import SavedSearch
from openchance.search.query import SearchFilters
from openchance.search.saved_schemas import SavedSearchCreate, SavedSearchRead

if TYPE_CHECKING:
    from openchance.platform import OpenChance

MAX_SAVED_SEARCHES = 25
"""Per user: each one is matched against every challenge that opens."""


class SavedSearchService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def create_saved_search(self, actor: Actor, data: SavedSearchCreate) -> SavedSearchRead:
        """Save a search. 409 ``too_many_saved_searches`` beyond 25, 409
        ``saved_search_name_taken`` for a name you use already (case aside)."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            # The user's row lock serialises concurrent saves, so the limit holds.
            await load_user(uow, user_id, for_update=True)
            count = await uow.session.scalar(
                select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user_id)
            )
            if (count or 0) >= MAX_SAVED_SEARCHES:
                raise Conflict(
                    f"you have {MAX_SAVED_SEARCHES} saved searches: delete one first",
                    code="too_many_saved_searches",
                )
            taken = await uow.session.scalar(
                select(SavedSearch.id).where(
                    SavedSearch.user_id == user_id,
                    func.lower(SavedSearch.name) == data.name.lower(),
                )
            )
            if taken is not None:
                raise Conflict(
                    f"you have a saved search named {data.name!r} already",
                    code="saved_search_name_taken",
                )
            saved = SavedSearch(
                id=uuid.uuid4(),
                user_id=user_id,
                name=data.name,
                query=data.query.model_dump(mode="json"),
                frequency=data.frequency,
            )
            uow.session.add(saved)
            await uow.flush()
            return _read(saved)

    async def list_saved_searches(self, actor: Actor) -> list[SavedSearchRead]:
        """Yours, oldest first."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = await uow.session.scalars(
                select(SavedSearch)
                .where(SavedSearch.user_id == user_id)
                .order_by(SavedSearch.created_at, SavedSearch.id)
            )
            return [_read(saved) for saved in rows]

    async def delete_saved_search(self, actor: Actor, saved_search_id: uuid.UUID) -> None:
        """Delete one of yours (404 for one that is not yours)."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            saved = await uow.session.get(SavedSearch, saved_search_id)
            if saved is None or saved.user_id != user_id:
                raise NotFound("saved search", saved_search_id)
            await uow.session.delete(saved)


def saved_filters(saved: SavedSearch) -> SearchFilters:
    """The filters a saved search stores."""
    return SearchFilters.model_validate(saved.query)


def _read(saved: SavedSearch) -> SavedSearchRead:
    return SavedSearchRead(
        id=saved.id,
        name=saved.name,
        query=saved_filters(saved),
        frequency=saved.frequency,
        created_at=saved.created_at,
        last_run_at=saved.last_run_at,
    )
