"""Profiles: one per account, the same for challenging and solving.

A user edits only their own profile: the use cases take the actor and no user id, so there
is nothing to point at someone else's. Anyone may read the profile of an active account.
Avatars are checked by content and re-encoded (``openchance.files.images``), stored under a
fresh random key through the files port, and the file they replace is deleted by a job
once the change commits.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from typing import TYPE_CHECKING

import anyio
from sqlalchemy import select

from openchance.accounts.policy import require_user
from openchance.accounts.profile_schemas import (
    HourlyRateRead,
    ProfileEdit,
    ProfileRead,
)
from openchance.actor import Actor
from openchance.db.types import Money
from openchance.errors import InvalidInput, NotFound
from openchance.files.images import check_upload_size, reencode_image
from openchance.files.jobs import DELETE_FILE, DeleteFile
from openchance.markdown import render_markdown
from openchance.models.accounts import User, UserStatus
from openchance.models.profiles import Profile

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

logger = logging.getLogger(__name__)

AVATAR_PREFIX = "avatars/"
MAX_FILENAME_LENGTH = 255


class ProfileService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def get_my_profile(self, actor: Actor) -> ProfileRead:
        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            user = await _load_active_user(uow, user_id)
            profile = await uow.session.get(Profile, user_id)
        return await self._read(user, profile)

    async def get_public_profile(self, actor: Actor, user_id: uuid.UUID) -> ProfileRead:
        """Anyone may look; suspended and deleted accounts are not found."""
        del actor  # public information
        async with self._platform.unit_of_work(read_only=True) as uow:
            user = await _load_active_user(uow, user_id)
            profile = await uow.session.get(Profile, user_id)
        return await self._read(user, profile)

    async def update_my_profile(self, actor: Actor, data: ProfileEdit) -> ProfileRead:
        """Change the fields sent in ``data`` (``null`` clears one)."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            user, profile = await _lock_profile(uow, user_id)
            _apply(profile, data)
            await uow.flush()
        return await self._read(user, profile)

    async def set_avatar(self, actor: Actor, data: bytes, filename: str) -> ProfileRead:
        """Replace your avatar with the image in ``data``.

        ``filename`` is the name the client gave; it decides nothing (the content does).
        422 ``unsupported_image`` when the bytes are not a PNG, JPEG, WebP or GIF,
        ``file_too_large`` over 5 MB, ``image_too_large`` over 4096 px a side.
        """
        user_id = require_user(actor)
        if len(filename) > MAX_FILENAME_LENGTH:
            raise InvalidInput("the file name is too long", code="invalid_filename")
        check_upload_size(len(data))
        image = await anyio.to_thread.run_sync(reencode_image, data)
        key = f"{AVATAR_PREFIX}{secrets.token_urlsafe(18)}.{image.extension}"
        store = self._platform.file_store
        await store.put(key, image.data, image.content_type)
        try:
            async with self._platform.unit_of_work() as uow:
                user, profile = await _lock_profile(uow, user_id)
                await _drop_avatar(uow, profile)
                profile.avatar_key = key
                await uow.flush()
        except BaseException:
            with contextlib.suppress(Exception), anyio.CancelScope(shield=True):
                await store.delete(key)  # nobody refers to it: do not leave it behind
            raise
        logger.info("avatar changed", extra={"user_id": str(user_id)})
        return await self._read(user, profile)

    async def remove_avatar(self, actor: Actor) -> ProfileRead:
        """Remove your avatar (no error when there is none)."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            user, profile = await _lock_profile(uow, user_id)
            await _drop_avatar(uow, profile)
            await uow.flush()
        return await self._read(user, profile)

    async def _read(self, user: User, profile: Profile | None) -> ProfileRead:
        if profile is None:
            profile = Profile(user_id=user.id, links=[], skills=[])
        rate = None
        if profile.hourly_rate_minor is not None and profile.hourly_rate_currency is not None:
            rate = HourlyRateRead.of(Money(profile.hourly_rate_minor, profile.hourly_rate_currency))
        avatar_url = (
            await self._platform.files.url(profile.avatar_key) if profile.avatar_key else None
        )
        return ProfileRead(
            user_id=user.id,
            display_name=user.display_name,
            headline=profile.headline,
            bio=profile.bio,
            bio_html=render_markdown(profile.bio or ""),
            location=profile.location,
            links=list(profile.links or []),
            skills=list(profile.skills or []),
            hourly_rate=rate,
            availability=profile.availability,
            organisation_name=profile.organisation_name,
            organisation_website=profile.organisation_website,
            avatar_url=avatar_url,
            updated_at=profile.updated_at,
        )


def _apply(profile: Profile, data: ProfileEdit) -> None:
    sent = data.model_fields_set
    for name in ("headline", "bio", "location", "organisation_name"):
        if name in sent:
            text: str | None = getattr(data, name)
            setattr(profile, name, text if text and text.strip() else None)
    if "links" in sent:
        profile.links = list(dict.fromkeys(str(link) for link in data.links or []))
    if "skills" in sent:
        profile.skills = list(data.skills or [])
    if "hourly_rate" in sent:
        money = data.hourly_rate.to_money() if data.hourly_rate else None
        profile.hourly_rate_minor = money.amount_minor if money else None
        profile.hourly_rate_currency = money.currency if money else None
    if "availability" in sent:
        profile.availability = data.availability
    if "organisation_website" in sent:
        website = data.organisation_website
        profile.organisation_website = str(website) if website else None


async def _load_active_user(uow: UnitOfWork, user_id: uuid.UUID) -> User:
    user = await uow.session.get(User, user_id)
    if user is None or user.status is not UserStatus.ACTIVE:
        raise NotFound("user", user_id)
    return user


async def _lock_profile(uow: UnitOfWork, user_id: uuid.UUID) -> tuple[User, Profile]:
    """The user (locked, so two first edits cannot both create the row) and their profile."""
    user = (
        await uow.session.scalars(select(User).where(User.id == user_id).with_for_update())
    ).one_or_none()
    if user is None or user.status is not UserStatus.ACTIVE:
        raise NotFound("user", user_id)
    profile = await uow.session.get(Profile, user_id, with_for_update=True)
    if profile is None:
        profile = Profile(user_id=user_id, links=[], skills=[])
        uow.session.add(profile)
    return user, profile


async def _drop_avatar(uow: UnitOfWork, profile: Profile) -> None:
    """Forget the current avatar and delete its file once this transaction commits."""
    if profile.avatar_key:
        await uow.enqueue(DELETE_FILE, DeleteFile(key=profile.avatar_key))
        profile.avatar_key = None


async def erase_profile(uow: UnitOfWork, user_id: uuid.UUID) -> None:
    """Remove a user's profile in ``uow`` and delete its avatar file once that commits.

    For account deletion: call it inside the deletion's unit of work."""
    profile = await uow.session.get(Profile, user_id, with_for_update=True)
    if profile is None:
        return
    await _drop_avatar(uow, profile)
    await uow.session.delete(profile)
