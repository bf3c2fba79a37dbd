"""Profiles: yours under ``/api/v1/me/profile`` and ``/api/v1/me/avatar``, anyone's under
``/api/v1/users/{id}/profile``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive

from openchance import InvalidInput
from openchance.accounts.profile_schemas import ProfileEdit, ProfileRead
from openchance.files.images import MAX_UPLOAD_BYTES
from openchance_server.auth import ANONYMOUS_ALLOWED, CurrentActor, CurrentUser
from openchance_server.dependencies import Platform

MULTIPART_OVERHEAD_BYTES = 64 * 1024
"""Room for the multipart boundaries and part headers around the largest accepted file."""

mine = APIRouter(prefix="/me", tags=["me"])
public = APIRouter(prefix="/users", tags=["users"])

AVATAR_UPLOAD: dict[str, object] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
    }
}


@mine.get("/profile", summary="Your profile")
async def get_my_profile(oc: Platform, actor: CurrentUser) -> ProfileRead:
    return await oc.profiles.get_my_profile(actor)


@mine.patch("/profile", summary="Change your profile")
async def update_my_profile(data: ProfileEdit, oc: Platform, actor: CurrentUser) -> ProfileRead:
    """Only the fields sent change; `null` clears one. Skills are normalised (lower case,
    spaces as hyphens, no repeats); links and the website must be http(s) URLs."""
    return await oc.profiles.update_my_profile(actor, data)


@mine.put("/avatar", summary="Upload your avatar", openapi_extra=AVATAR_UPLOAD)
async def set_avatar(request: Request, oc: Platform, actor: CurrentUser) -> ProfileRead:
    """A `multipart/form-data` body with one part, `file`: a PNG, JPEG, WebP or GIF image of
    at most 5 MB and 4096 px a side, recognised by its content (not its name or type). It is
    re-encoded (metadata such as the GPS position is gone) and scaled to at most 512 px.
    422 `unsupported_image`, `file_too_large`, `image_too_large`, `file_missing`."""
    upload_limit = MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > upload_limit:
        raise InvalidInput("the file is larger than 5 MB", code="file_too_large")
    limited = Request(request.scope, _limited_receive(request, upload_limit))
    async with limited.form(max_files=1, max_fields=1) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("send the image as the multipart part `file`", code="file_missing")
        data = await upload.read()
        filename = upload.filename or ""
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


def _limited_receive(request: Request, limit: int) -> Receive:
    """The request's ``receive``, refusing a body (chunked ones too) longer than ``limit``."""
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise InvalidInput("the file is larger than 5 MB", code="file_too_large")
        return message

    return receive


router = APIRouter()
router.include_router(mine)
router.include_router(public)
