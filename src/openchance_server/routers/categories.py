"""Categories: ``GET /api/v1/categories`` for everyone; adding, renaming, retiring and
restoring for moderators and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from openchance.challenges.category_schemas import CategoryCreate, CategoryRead, CategoryRename
from openchance_server.auth import ANONYMOUS_ALLOWED, CurrentActor, CurrentUser
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/categories", tags=["categories"])

CategoryRef = Annotated[str, Path(max_length=64, description="The category's id or slug.")]


@router.get("", summary="The categories", openapi_extra=ANONYMOUS_ALLOWED)
async def list_categories(
    oc: Platform,
    actor: CurrentActor,
    include_retired: Annotated[
        bool, Query(description="Also list retired categories (they take no new challenges).")
    ] = False,
) -> list[CategoryRead]:
    """By position, then name, each with its number of open public challenges."""
    return await oc.categories.list_categories(actor, include_retired=include_retired)


@router.post(
    "",
    summary="Add a category (moderators, admins)",
    status_code=status.HTTP_201_CREATED,
)
async def add_category(data: CategoryCreate, oc: Platform, actor: CurrentUser) -> CategoryRead:
    """The slug is derived from the name when left out and never changes. 409
    `category_name_taken` (names compare without regard to case) or `category_slug_taken`;
    422 `category_slug_required` when the name yields no slug."""
    return await oc.categories.add_category(actor, data)


@router.patch("/{category}", summary="Rename a category (moderators, admins)")
async def rename_category(
    category: CategoryRef, data: CategoryRename, oc: Platform, actor: CurrentUser
) -> CategoryRead:
    """The slug stays; the category's published challenges are re-indexed for search.
    409 `category_name_taken`."""
    return await oc.categories.rename_category(actor, category, data)


@router.post("/{category}/retire", summary="Retire a category (moderators, admins)")
async def retire_category(category: CategoryRef, oc: Platform, actor: CurrentUser) -> CategoryRead:
    """Its challenges stay; new ones can no longer be filed under it. 409
    `category_already_retired`, or `last_category` for the only one still in use."""
    return await oc.categories.retire_category(actor, category)


@router.post("/{category}/restore", summary="Restore a retired category (moderators, admins)")
async def restore_category(category: CategoryRef, oc: Platform, actor: CurrentUser) -> CategoryRead:
    """409 `category_not_retired`."""
    return await oc.categories.restore_category(actor, category)
