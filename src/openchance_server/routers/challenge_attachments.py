"""Files attached to a challenge: ``/api/v1/challenges/{id}/attachments``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from openchance.challenges.attachment_schemas import AttachmentRead
from openchance.files.content_types import ACCEPTED_DESCRIPTION
from openchance_server.auth import ANONYMOUS_ALLOWED, CurrentActor, CurrentUser
from openchance_server.dependencies import Platform
from openchance_server.uploads import FILE_UPLOAD, read_upload

ADD_DESCRIPTION = (
    "A `multipart/form-data` body with one part, `file`. Accepted, as recognised by the "
    f"content (never the name or the declared type): {ACCEPTED_DESCRIPTION}. The download "
    "name is the part's file name made safe, with the extension the content calls for. Only "
    "the challenger, while the challenge is a draft, in review or open and has no "
    "application. 409 `challenge_locked`, `too_many_attachments`; 422 `file_too_large` "
    "(over `OPENCHANCE_CHALLENGE_ATTACHMENT_MAX_BYTES`), `unsupported_file_type`, "
    "`empty_file`, `file_missing`."
)

router = APIRouter(prefix="/challenges/{challenge_id}/attachments", tags=["challenges"])


@router.post(
    "",
    summary="Attach a file to your challenge",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=FILE_UPLOAD,
    description=ADD_DESCRIPTION,
)
async def add_attachment(
    challenge_id: uuid.UUID, request: Request, oc: Platform, actor: CurrentUser
) -> AttachmentRead:
    data, filename = await read_upload(
        request,
        oc.settings.challenge_attachment_max_bytes,
        too_large="the file is larger than attachments may be",
        missing="send the file as the multipart part `file`",
    )
    return await oc.challenge_attachments.add_attachment(actor, challenge_id, data, filename)


@router.get("", summary="A challenge's attachments", openapi_extra=ANONYMOUS_ALLOWED)
async def list_attachments(
    challenge_id: uuid.UUID, oc: Platform, actor: CurrentActor
) -> list[AttachmentRead]:
    """For anyone who may see the challenge (404 otherwise). Each `download_url` is signed
    and expires: list again for fresh ones."""
    return await oc.challenge_attachments.list_attachments(actor, challenge_id)


@router.delete(
    "/{attachment_id}",
    summary="Remove an attachment from your challenge",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
async def remove_attachment(
    challenge_id: uuid.UUID, attachment_id: uuid.UUID, oc: Platform, actor: CurrentUser
) -> Response:
    """Same rules as attaching; the file is deleted shortly after. 409 `challenge_locked`."""
    await oc.challenge_attachments.remove_attachment(actor, challenge_id, attachment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
