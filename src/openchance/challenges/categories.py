"""Categories: everyone lists them; moderators and admins add, rename, retire and restore.

A category is never deleted: challenges keep pointing at it. Retiring one stops new
challenges from being filed under it (:func:`load_assignable_category`, which the challenge
use cases call); restoring it undoes that. Renaming keeps the slug, so links and saved
searches keep working, and re-indexes its published challenges, whose search documents
carry the category's name. Every staff change is in the audit log.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from openchance.actor import Actor, Role
from openchance.challenges.category_schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryRename,
    slug_from_name,
)
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from openchance.models.challenges import Category, Challenge, ChallengeStatus, Visibility
from openchance.moderation.audit import record_audit
from openchance.search.query import SEARCHABLE_STATUSES
from openchance.search.sync import schedule_index

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance


def check_can_manage_categories(actor: Actor) -> None:
    """Moderators and admins (and the operator); support staff and users may not."""
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not (actor.has_role(Role.MODERATOR) or actor.has_role(Role.ADMIN)):
        raise PermissionDenied(
            "only moderators and admins manage categories", code="not_category_manager"
        )


class CategoryService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def list_categories(
        self, actor: Actor, *, include_retired: bool = False
    ) -> list[CategoryRead]:
        """Every category, by position then name, with how many open public challenges
        each holds. Anyone may list them."""
        del actor  # public information
        open_challenges = and_(
            Challenge.category_id == Category.id,
            Challenge.status == ChallengeStatus.OPEN,
            Challenge.visibility == Visibility.PUBLIC,
            Challenge.published_at.is_not(None),
        )
        statement = (
            select(Category, func.count(Challenge.id))
            .outerjoin(Challenge, open_challenges)
            .group_by(Category.id)
            .order_by(Category.position, Category.name)
        )
        if not include_retired:
            statement = statement.where(Category.retired_at.is_(None))
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = (await uow.session.execute(statement)).all()
        return [_read(category, count) for category, count in rows]

    async def add_category(self, actor: Actor, data: CategoryCreate) -> CategoryRead:
        """409 ``category_name_taken`` / ``category_slug_taken`` when either is in use
        (names compared without regard to case); 422 ``category_slug_required`` when no
        slug can be derived from the name."""
        check_can_manage_categories(actor)
        slug = data.slug or slug_from_name(data.name)
        if not slug:
            raise InvalidInput(
                "no slug can be made from this name: send one", code="category_slug_required"
            )
        async with self._platform.unit_of_work() as uow:
            await _lock_categories(uow)
            await _check_name_free(uow, data.name)
            if await uow.session.scalar(select(Category.id).where(Category.slug == slug)):
                raise _slug_taken(slug)
            position = data.position
            if position is None:
                last = await uow.session.scalar(select(func.max(Category.position)))
                position = (last or 0) + 1
            category = Category(
                id=uuid.uuid4(), slug=slug, name=data.name, position=position, retired_at=None
            )
            uow.session.add(category)
            await _flush_unique(uow, data.name, slug)
            record_audit(
                uow,
                actor,
                "category.add",
                target_type="category",
                target_id=category.id,
                details={"slug": slug, "name": data.name},
            )
        return _read(category, 0)

    async def rename_category(
        self, actor: Actor, reference: uuid.UUID | str, data: CategoryRename
    ) -> CategoryRead:
        """Give a category (by id or slug) a new name; its slug stays. Its published
        challenges are re-indexed in the same transaction."""
        check_can_manage_categories(actor)
        async with self._platform.unit_of_work() as uow:
            await _lock_categories(uow)
            category = await _load_category(uow, reference, for_update=True)
            old_name = category.name
            if data.name != old_name:
                await _check_name_free(uow, data.name, other_than=category.id)
                category.name = data.name
                await _flush_unique(uow, data.name, category.slug)
                published = await uow.session.scalars(
                    select(Challenge.id).where(
                        Challenge.category_id == category.id,
                        Challenge.status.in_(SEARCHABLE_STATUSES),
                    )
                )
                for challenge_id in published.all():
                    await schedule_index(uow, challenge_id)
                record_audit(
                    uow,
                    actor,
                    "category.rename",
                    target_type="category",
                    target_id=category.id,
                    details={"from": old_name, "to": data.name},
                )
            count = await _open_challenge_count(uow, category.id)
        return _read(category, count)

    async def retire_category(self, actor: Actor, reference: uuid.UUID | str) -> CategoryRead:
        """Stop filing new challenges under a category; those in it stay. 409
        ``category_already_retired``, or ``last_category`` for the only one left."""
        check_can_manage_categories(actor)
        async with self._platform.unit_of_work() as uow:
            # Two staff retiring the last two categories at once cannot both succeed.
            await _lock_categories(uow)
            in_use = await uow.session.scalars(
                select(Category.id).where(Category.retired_at.is_(None))
            )
            in_use_ids = set(in_use.all())
            category = await _load_category(uow, reference, for_update=True)
            if category.retired_at is not None:
                raise Conflict(
                    f"the category {category.slug!r} is already retired",
                    code="category_already_retired",
                )
            if not in_use_ids - {category.id}:
                raise Conflict(
                    "at least one category must stay open for new challenges",
                    code="last_category",
                )
            category.retired_at = utcnow()
            record_audit(
                uow, actor, "category.retire", target_type="category", target_id=category.id
            )
            await uow.flush()
            count = await _open_challenge_count(uow, category.id)
        return _read(category, count)

    async def restore_category(self, actor: Actor, reference: uuid.UUID | str) -> CategoryRead:
        """Let a retired category take new challenges again. 409 ``category_not_retired``."""
        check_can_manage_categories(actor)
        async with self._platform.unit_of_work() as uow:
            category = await _load_category(uow, reference, for_update=True)
            if category.retired_at is None:
                raise Conflict(
                    f"the category {category.slug!r} is not retired", code="category_not_retired"
                )
            category.retired_at = None
            record_audit(
                uow, actor, "category.restore", target_type="category", target_id=category.id
            )
            await uow.flush()
            count = await _open_challenge_count(uow, category.id)
        return _read(category, count)


async def load_assignable_category(uow: UnitOfWork, slug: str) -> Category:
    """The category a challenge is being filed under, by slug: 422 ``unknown_category``
    when there is none, ``category_retired`` when it takes no new challenges.

    For the challenge use cases (create, and update when the category changes)."""
    category = (
        await uow.session.scalars(select(Category).where(Category.slug == slug.strip().lower()))
    ).one_or_none()
    if category is None:
        raise InvalidInput(f"there is no category {slug!r}", code="unknown_category")
    if category.retired_at is not None:
        raise InvalidInput(
            f"the category {category.name!r} is retired and takes no new challenges",
            code="category_retired",
        )
    return category


async def _lock_categories(uow: UnitOfWork) -> None:
    """Lock every category row (a handful): staff changes to categories run one at a time,
    so the checks below (name free, another category still in use) see each other's
    committed result rather than racing to a constraint error."""
    await uow.session.execute(select(Category.id).order_by(Category.id).with_for_update())


async def _load_category(
    uow: UnitOfWork, reference: uuid.UUID | str, *, for_update: bool = False
) -> Category:
    """A category by id or slug (a string that parses as a UUID is taken as an id)."""
    if isinstance(reference, str):
        with contextlib.suppress(ValueError):
            reference = uuid.UUID(reference)
    column = Category.id if isinstance(reference, uuid.UUID) else Category.slug
    statement = select(Category).where(column == reference)
    if for_update:
        statement = statement.with_for_update()
    category = (await uow.session.scalars(statement)).one_or_none()
    if category is None:
        raise NotFound("category", reference)
    return category


async def _check_name_free(
    uow: UnitOfWork, name: str, *, other_than: uuid.UUID | None = None
) -> None:
    statement = select(Category.id).where(func.lower(Category.name) == name.lower())
    if other_than is not None:
        statement = statement.where(Category.id != other_than)
    if await uow.session.scalar(statement) is not None:
        raise Conflict(f"a category is already called {name!r}", code="category_name_taken")


async def _flush_unique(uow: UnitOfWork, name: str, slug: str) -> None:
    """Flush, turning a unique-constraint race with another transaction into a Conflict."""
    try:
        await uow.flush()
    except IntegrityError as exc:
        if "slug" in str(exc.orig).lower():
            raise _slug_taken(slug) from None
        raise Conflict(
            f"a category is already called {name!r}", code="category_name_taken"
        ) from None


async def _open_challenge_count(uow: UnitOfWork, category_id: uuid.UUID) -> int:
    count = await uow.session.scalar(
        select(func.count())
        .select_from(Challenge)
        .where(
            Challenge.category_id == category_id,
            Challenge.status == ChallengeStatus.OPEN,
            Challenge.visibility == Visibility.PUBLIC,
            Challenge.published_at.is_not(None),
        )
    )
    return int(count or 0)


def _slug_taken(slug: str) -> Conflict:
    return Conflict(f"the slug {slug!r} is already in use", code="category_slug_taken")


def _read(category: Category, open_challenges: int) -> CategoryRead:
    return CategoryRead(
        id=category.id,
        slug=category.slug,
        name=category.name,
        position=category.position,
        retired=category.retired_at is not None,
        open_challenges=int(open_challenges),
    )
