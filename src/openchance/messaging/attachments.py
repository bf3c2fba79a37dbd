"""Files sent with a message: checked, stored, and discarded again if the message is not.

What a file is is decided by its content (``openchance.files.content_types``), never by
its name or declared type; the name it downloads under is made safe and given the
extension the content calls for. Limits: ``message_attachments_max`` files per message,
each at most ``message_attachment_max_bytes``.

As with challenge attachments, the bytes are stored (under a random key, through the files
port) before the transaction that writes the message and its attachment rows; when that
transaction fails, the stored files are deleted again at once, and files a resend did not
need are deleted by the ``files.delete`` job once it commits. Downloads go through signed,
expiring URLs.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio

from openchance.errors import InvalidInput
from openchance.files.content_types import detect_content_type
from openchance.files.filenames import safe_filename
from openchance.messaging.schemas import FileUpload

if TYPE_CHECKING:
    from openchance.platform import OpenChance

KEY_PREFIX = "message-attachments"
MAX_GIVEN_FILENAME_LENGTH = 1024
"""A longer client-side name is refused rather than cut."""


@dataclass(frozen=True, slots=True)
class PendingAttachment:
    """A stored file waiting for its message row (what ``append_message`` attaches)."""

    key: str
    filename: str
    content_type: str
    size_bytes: int
    download_url: str


def check_uploads(platform: OpenChance, files: Sequence[FileUpload]) -> None:
    """Refuse what can be refused without reading the content: 422 ``too_many_attachments``,
    ``file_too_large``, ``invalid_filename``."""
    settings = platform.settings
    if len(files) > settings.message_attachments_max:
        raise InvalidInput(
            f"a message carries at most {settings.message_attachments_max} files",
            code="too_many_attachments",
        )
    for upload in files:
        if len(upload.filename) > MAX_GIVEN_FILENAME_LENGTH:
            raise InvalidInput("the file name is too long", code="invalid_filename")
        if len(upload.data) > settings.message_attachment_max_bytes:
            raise InvalidInput(
                f"“{upload.filename[:100]}” is larger than "
                f"{settings.message_attachment_max_bytes} bytes",
                code="file_too_large",
            )


async def store_uploads(
    platform: OpenChance, conversation_id: uuid.UUID, files: Sequence[FileUpload]
) -> list[PendingAttachment]:
    """Check every file's content (422 ``unsupported_file_type``, ``empty_file``), then
    store them all; nothing stays stored when one fails."""
    detected = [await anyio.to_thread.run_sync(detect_content_type, f.data) for f in files]
    store = platform.file_store
    stored: list[PendingAttachment] = []
    try:
        for upload, kind in zip(files, detected, strict=True):
            name = safe_filename(upload.filename, kind)
            key = f"{KEY_PREFIX}/{conversation_id}/{secrets.token_urlsafe(18)}.{kind.extension}"
            await store.put(key, upload.data, kind.content_type)
            stored.append(
                PendingAttachment(
                    key=key,
                    filename=name,
                    content_type=kind.content_type,
                    size_bytes=len(upload.data),
                    download_url=await platform.files.url(key, download_name=name),
                )
            )
    except BaseException:
        await discard_uploads(platform, stored)
        raise
    return stored


async def discard_uploads(platform: OpenChance, stored: Sequence[PendingAttachment]) -> None:
    """Delete stored files nothing refers to (shielded: also when the caller is cancelled)."""
    store = platform.file_store
    with anyio.CancelScope(shield=True):
        for attachment in stored:
            with contextlib.suppress(Exception):
                await store.delete(attachment.key)
