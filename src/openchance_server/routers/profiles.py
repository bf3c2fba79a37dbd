"""Profiles: yours under ``/api/v1/me/profile`` and ``/api/v1/me/avatar``, anyone's under
``/api/v1/users/{id}/profile``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from openchance.accounts.profile_schemas import ProfileEdit, ProfileRead
from openchance.files.images import MAX_UPLOAD_BYTES
from openchance_server.auth import ANONYMOUS_ALLOWED, CurrentActor, CurrentUser
from openchance_server.dependencies import Platform
from openchance_server.uploads import FILE_UPLOAD, read_upload

mine = APIRouter(prefix="/me", tags=["me"])
public = APIRouter(prefix="/users", tags=["users"])


@mine.get("/profile", summary="Your profile")
async def get_my_profile(oc: Platform, actor: CurrentUser) -> ProfileRead:
    return await oc.profiles.get_my_profile(actor)


@mine.patch("/profile", summary="Change your profile")
async def update_my_profile(data: ProfileEdit, oc: Platform, actor: CurrentUser) -> ProfileRead:
    """Only the fields sent change; `null` clears one. Skills are normalised (lower case,
    spaces as hyphens, no repeats); links and the website must be http(s) URLs."""
    return await oc.profiles.update_my_profile(actor, data)


@mine.put("/avatar", summary="Upload your avatar", openapi_extra=FILE_UPLOAD)
async def set_avatar(request: Request, oc: Platform, actor: CurrentUser) -> ProfileRead:
    """A `multipart/form-data` body with one part, `file`: a PNG, JPEG, WebP or GIF image of
    at most 5 MB and 4096 px a side, recognised by its content (not its name or type). It is
    re-encoded (metadata such as the GPS position is gone) and scaled to at most 512 px.
    422 `unsupported_image`, `file_too_large`, `image_too_large`, `file_missing`."""
    data, filename = await read_upload(
        request,
        MAX_UPLOAD_BYTES,
        too_large="the file is larger than 5 MB",
        missing="send the image as the multipart part `file`",
    )
    return await oc.profiles.set_avatar(actor, data, filename)


@mine.delete("/avatar", summary="Remove your avatar")
async def remove_avatar(oc: Platform, actor: CurrentUser) -> ProfileRead:
    return await oc.profiles.remove_avatar(actor)


@public.get(
    "/{user_id}/profile",
    summary="A user's public profile",
    openapi_extra=ANONYMOUS_ALLOWED,
)
async def get_profile(user_id: uuid.UUID, oc: Platform, actor: CurrentActor) -> ProfileRead:
    """Anyone may look; suspended and deleted accounts are not found. `avatar_url` is a
    signed URL that expires: fetch the profile again for a fresh one."""
    return await oc.profiles.get_public_profile(actor, user_id)


router = APIRouter()
router.include_router(mine)
router.include_router(public)
