"""Files attached to an application: ``/api/v1/applications/{id}/attachments``. They are
listed, with signed download URLs, in the application itself."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from openchance.applications.schemas import ApplicationAttachmentRead
from openchance.files.content_types import ACCEPTED_DESCRIPTION
from openchance_server.auth import CurrentUser
from openchance_server.dependencies import Platform
from openchance_server.uploads import FILE_UPLOAD, read_upload

ADD_DESCRIPTION = (
    "A `multipart/form-data` body with one part, `file`. Accepted, as recognised by the "
    f"content (never the name or the declared type): {ACCEPTED_DESCRIPTION}. The download "
    "name is the part's file name made safe, with the extension the content calls for. Only "
    "the solver, while the application is submitted. 403 `not_applicant`; 409 "
    "`application_locked`, `too_many_attachments`; 422 `file_too_large` (over "
    "`OPENCHANCE_APPLICATION_ATTACHMENT_MAX_BYTES`), `unsupported_file_type`, `empty_file`, "
    "`file_missing`."
)

router = APIRouter(prefix="/applications/{application_id}/attachments", tags=["applications"])


@router.post(
    "",
    summary="Attach a file to your application",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=FILE_UPLOAD,
    description=ADD_DESCRIPTION,
)
async def add_attachment(
    application_id: uuid.UUID, request: Request, oc: Platform, actor: CurrentUser
) -> ApplicationAttachmentRead:
    data, filename = await read_upload(
        request,
        oc.settings.application_attachment_max_bytes,
        too_large="the file is larger than attachments may be",
        missing="send the file as the multipart part `file`",
    )
    return await oc.application_attachments.add_attachment(actor, application_id, data, filename)


@router.delete(
    "/{attachment_id}",
    summary="Remove an attachment from your application",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
async def remove_attachment(
    application_id: uuid.UUID, attachment_id: uuid.UUID, oc: Platform, actor: CurrentUser
) -> Response:
    """Same rules as attaching; the file is deleted shortly after. 409 `application_locked`."""
    await oc.application_attachments.remove_attachment(actor, application_id, attachment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
