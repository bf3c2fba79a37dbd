"""Your saved searches, which alert you of new matching challenges:
``/api/v1/me/saved-searches``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from openchance.search.saved_schemas import SavedSearchCreate, SavedSearchRead
from openchance_server.auth import CurrentUser
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/me/saved-searches", tags=["me"])


@router.get("", summary="Your saved searches")
async def list_saved_searches(oc: Platform, actor: CurrentUser) -> list[SavedSearchRead]:
    return await oc.saved_searches.list_saved_searches(actor)


@router.post("", status_code=status.HTTP_201_CREATED, summary="Save a search")
async def create_saved_search(
    data: SavedSearchCreate, oc: Platform, actor: CurrentUser
) -> SavedSearchRead:
    """`query` takes the search's filters (as `GET /api/v1/challenges`, without sort and
    page). You are alerted in your notifications of each newly opened challenge it
    matches, once per challenge. At most 25 (409 `too_many_saved_searches`); names are
    unique among yours (409 `saved_search_name_taken`)."""
    return await oc.saved_searches.create_saved_search(actor, data)


@router.delete(
    "/{saved_search_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a saved search"
)
async def delete_saved_search(saved_search_id: uuid.UUID, oc: Platform, actor: CurrentUser) -> None:
    await oc.saved_searches.delete_saved_search(actor, saved_search_id)
