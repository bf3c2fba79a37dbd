"""Files of the local store, through signed, expiring URLs: ``/api/v1/files/{key}``.

The core makes the URLs (``oc.files.url``) and checks them (``oc.files.open_signed``); the
signature is the permission, so no credentials are needed. With the S3 backend the URLs
point at the bucket and this route finds nothing.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from openchance import PermissionDenied
from openchance.files.filenames import content_disposition
from openchance_server.dependencies import Platform

MAX_CACHE_SECONDS = 3600

router = APIRouter(prefix="/files", tags=["files"])


@router.get(
    "/{key:path}",
    summary="A stored file (signed URL)",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"image/webp": {}, "application/octet-stream": {}},
            "description": "The file's bytes.",
        }
    },
)
async def get_file(
    key: str,
    oc: Platform,
    expires: Annotated[int | None, Query(description="Unix time the URL stops working.")] = None,
    signature: Annotated[str | None, Query(max_length=128)] = None,
    name: Annotated[
        str | None,
        Query(max_length=255, description="The download name (signed with the rest)."),
    ] = None,
) -> FileResponse:
    """Streams the file with its stored media type and `X-Content-Type-Options: nosniff`:
    `Content-Disposition: inline`, or `attachment` under `name` (with an ASCII `filename`
    and the exact UTF-8 `filename*`) when the URL names a download. 403 `invalid_signature`
    (missing, wrong or tampered with, the name included) or `url_expired`; 404 when the
    file is gone."""
    if expires is None or signature is None:
        raise PermissionDenied("the link is not valid", code="invalid_signature")
    file = await oc.files.open_signed(key, expires, signature, name)
    max_age = max(0, min(MAX_CACHE_SECONDS, expires - int(time.time())))
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": f"private, max-age={max_age}",
    }
    if file.download_name is not None:
        headers["Content-Disposition"] = content_disposition("attachment", file.download_name)
        return FileResponse(file.path, media_type=file.content_type, headers=headers)
    return FileResponse(
        file.path,
        media_type=file.content_type,
        filename=file.filename,
        content_disposition_type="inline",
        headers=headers,
    )
