"""Reading one uploaded file from a ``multipart/form-data`` body, with the size bounded
while it arrives (a declared ``Content-Length`` and chunked bodies alike), so an oversized
upload is refused before it is held in memory. The core checks the content and the exact
limit again."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.types import Message, Receive

from openchance import InvalidInput

MULTIPART_OVERHEAD_BYTES = 64 * 1024
"""Room for the multipart boundaries and part headers around the largest accepted file."""

FILE_UPLOAD: dict[str, object] = {
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
"""The OpenAPI request body of an upload route (``openapi_extra``)."""

TEXT_FIELD_MAX_BYTES = 64 * 1024
"""Room for the text fields of a form with files (a message body is at most 10,000
characters, up to 40 kB in UTF-8)."""


def files_form(fields: dict[str, str]) -> dict[str, object]:
    """The OpenAPI request body of a route taking several parts ``file`` and text
    ``fields`` (name → description), for ``openapi_extra``."""
    properties: dict[str, object] = {
        name: {"type": "string", "description": description} for name, description in fields.items()
    }
    properties["file"] = {"type": "array", "items": {"type": "string", "format": "binary"}}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": {"type": "object", "properties": properties}}
            },
        }
    }


async def read_files_form(
    request: Request,
    max_file_bytes: int,
    max_files: int,
    fields: tuple[str, ...],
    *,
    too_large: str,
) -> tuple[list[tuple[bytes, str]], dict[str, str]]:
    """The parts ``file`` (bytes and the client's file name of each, in order) and the text
    ``fields`` given of a ``multipart/form-data`` body.

    The body is bounded while it arrives (422 ``file_too_large``) by what ``max_files``
    files of ``max_file_bytes`` and the text fields may take; one file more than
    ``max_files`` is read, so the core can refuse it by name (``too_many_attachments``).
    """
    limit = (max_files + 1) * max_file_bytes + MULTIPART_OVERHEAD_BYTES + TEXT_FIELD_MAX_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise InvalidInput(too_large, code="file_too_large")
    limited = Request(request.scope, _limited_receive(request, limit, too_large))
    async with limited.form(max_files=max_files + 1, max_fields=len(fields)) as form:
        files = [
            (await part.read(), part.filename or "")
            for part in form.getlist("file")
            if isinstance(part, UploadFile)
        ]
        values = {name: value for name in fields if isinstance(value := form.get(name), str)}
        return files, values


async def read_upload(
    request: Request, max_bytes: int, *, too_large: str, missing: str
) -> tuple[bytes, str]:
    """The bytes and the client's file name of the part ``file``.

    422 ``file_too_large`` (with the message ``too_large``) when the body exceeds
    ``max_bytes`` plus the multipart overhead, ``file_missing`` (``missing``) without the part.
    """
    limit = max_bytes + MULTIPART_OVERHEAD_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise InvalidInput(too_large, code="file_too_large")
    limited = Request(request.scope, _limited_receive(request, limit, too_large))
    async with limited.form(max_files=1, max_fields=1) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput(missing, code="file_missing")
        return await upload.read(), upload.filename or ""


def _limited_receive(request: Request, limit: int, too_large: str) -> Receive:
    """The request's ``receive``, refusing a body (chunked ones too) longer than ``limit``."""
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise InvalidInput(too_large, code="file_too_large")
        return message

    return receive
