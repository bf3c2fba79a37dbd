"""Files attached to a challenge: briefs, data samples, mock-ups.

Only the challenger attaches and removes them, and only while the substance may still
change: in draft, in review or open, before the first application (afterwards the challenge
is what applicants applied to; the challenger adds clarifications instead). What a file is
is decided by its content (``openchance.files.content_types``), never by its name; the name
it downloads under is made safe and given the extension the content calls for. Files are
stored under a random key through the files port and served through signed, expiring URLs
that download them (``Content-Disposition: attachment``) under that name.

A file is written before the row that refers to it and deleted again when that transaction
fails; a file whose row goes is deleted by the ``files.delete`` job after the commit.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from typing import TYPE_CHECKING

import anyio
from sqlalchemy import delete, func, select

from openchance.actor import Actor
from openchance.challenges.attachment_schemas import AttachmentRead
from openchance.challenges.policy import check_owner, load_visible_challenge
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from openchance.files.content_types import detect_content_type
from openchance.files.filenames import safe_filename
from openchance.files.jobs import DELETE_FILE, DeleteFile
from openchance.models.challenges import Challenge, ChallengeAttachment, ChallengeStatus

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

logger = logging.getLogger(__name__)

KEY_PREFIX = "challenge-attachments"
MAX_GIVEN_FILENAME_LENGTH = 1024
"""A longer client-side name is refused rather than cut (no real file system allows it)."""
EDITABLE_STATUSES = frozenset(
    {ChallengeStatus.DRAFT, ChallengeStatus.PENDING_REVIEW, ChallengeStatus.OPEN}
)


class ChallengeAttachmentService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def add_attachment(
        self, actor: Actor, challenge_id: uuid.UUID, data: bytes, filename: str
    ) -> AttachmentRead:
        """Attach the file in ``data``; ``filename`` is the client's name for it, which
        decides nothing but the name it downloads under.

        404 when the actor cannot see the challenge, 403 ``not_challenge_owner`` for anyone
        but its challenger, 409 ``challenge_locked`` once it has applications or left the
        open states, 409 ``too_many_attachments`` past ``challenge_attachments_max``, 422
        ``file_too_large`` past ``challenge_attachment_max_bytes``, ``empty_file``,
        ``unsupported_file_type`` for content that is not an accepted document type,
        ``invalid_filename`` for a name of over 1024 characters.
        """
        if actor.user_id is None:
            raise NotAuthenticated("sign in first")
        if len(filename) > MAX_GIVEN_FILENAME_LENGTH:
            raise InvalidInput("the file name is too long", code="invalid_filename")
        self._check_size(len(data))
        # Refuse early, before any work on the content or the store; checked again below
        # under the challenge's lock.
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await _load_editable(uow, actor, challenge_id)
            await self._check_room(uow, challenge.id)
        detected = await anyio.to_thread.run_sync(detect_content_type, data)
        name = safe_filename(filename, detected)
        key = f"{KEY_PREFIX}/{challenge_id}/{secrets.token_urlsafe(18)}.{detected.extension}"
        store = self._platform.file_store
        await store.put(key, data, detected.content_type)
        try:
            async with self._platform.unit_of_work() as uow:
                challenge = await _load_editable(uow, actor, challenge_id, for_update=True)
                await self._check_room(uow, challenge.id)
                attachment = ChallengeAttachment(
                    id=uuid.uuid4(),
                    challenge_id=challenge.id,
                    key=key,
                    filename=name,
                    content_type=detected.content_type,
                    size_bytes=len(data),
                    uploaded_by=actor.user_id,
                    created_at=utcnow(),
                )
                uow.session.add(attachment)
                await uow.flush()
        except BaseException:
            with contextlib.suppress(Exception), anyio.CancelScope(shield=True):
                await store.delete(key)  # nothing refers to it: do not leave it behind
            raise
        logger.info(
            "challenge attachment added",
            extra={"challenge_id": str(challenge_id), "attachment_id": str(attachment.id)},
        )
        return await self._read(attachment)

    async def list_attachments(self, actor: Actor, challenge_id: uuid.UUID) -> list[AttachmentRead]:
        """The challenge's attachments, oldest first, each with a fresh download URL; for
        anyone who may see the challenge (404 otherwise)."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id)
            rows = (
                await uow.session.scalars(
                    select(ChallengeAttachment)
                    .where(ChallengeAttachment.challenge_id == challenge.id)
                    .order_by(ChallengeAttachment.created_at, ChallengeAttachment.id)
                )
            ).all()
        return [await self._read(attachment) for attachment in rows]

    async def remove_attachment(
        self, actor: Actor, challenge_id: uuid.UUID, attachment_id: uuid.UUID
    ) -> None:
        """Remove an attachment (the challenger, under the same rules as adding one); its
        file is deleted once this commits. 404 for an attachment of another challenge."""
        async with self._platform.unit_of_work() as uow:
            challenge = await _load_editable(uow, actor, challenge_id, for_update=True)
            attachment = await uow.session.scalar(
                select(ChallengeAttachment).where(
                    ChallengeAttachment.id == attachment_id,
                    ChallengeAttachment.challenge_id == challenge.id,
                )
            )
            if attachment is None:
                raise NotFound("attachment", attachment_id)
            await uow.enqueue(DELETE_FILE, DeleteFile(key=attachment.key))
            await uow.session.delete(attachment)
            await uow.flush()

    def _check_size(self, size: int) -> None:
        limit = self._platform.settings.challenge_attachment_max_bytes
        if size > limit:
            raise InvalidInput(
                f"the file is larger than {describe_size(limit)}", code="file_too_large"
            )

    async def _check_room(self, uow: UnitOfWork, challenge_id: uuid.UUID) -> None:
        limit = self._platform.settings.challenge_attachments_max
        count = await uow.session.scalar(
            select(func.count())
            .select_from(ChallengeAttachment)
            .where(ChallengeAttachment.challenge_id == challenge_id)
        )
        if (count or 0) >= limit:
            raise Conflict(
                f"a challenge has at most {limit} attachments", code="too_many_attachments"
            )

    async def _read(self, attachment: ChallengeAttachment) -> AttachmentRead:
        url = await self._platform.files.url(attachment.key, download_name=attachment.filename)
        return AttachmentRead(
            id=attachment.id,
            challenge_id=attachment.challenge_id,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size_bytes=attachment.size_bytes,
            created_at=attachment.created_at,
            download_url=url,
        )


async def delete_challenge_attachments(uow: UnitOfWork, challenge_id: uuid.UUID) -> None:
    """Drop every attachment of a challenge in ``uow`` and delete their files once it
    commits (nothing is deleted if it rolls back).

    For deleting a draft: call it inside the deletion's unit of work, before the challenge
    row goes."""
    keys = (
        await uow.session.scalars(
            select(ChallengeAttachment.key).where(ChallengeAttachment.challenge_id == challenge_id)
        )
    ).all()
    for key in keys:
        await uow.enqueue(DELETE_FILE, DeleteFile(key=key))
    if keys:
        await uow.session.execute(
            delete(ChallengeAttachment).where(ChallengeAttachment.challenge_id == challenge_id)
        )


async def _load_editable(
    uow: UnitOfWork, actor: Actor, challenge_id: uuid.UUID, *, for_update: bool = False
) -> Challenge:
    """The challenge, when ``actor`` is its challenger and its substance may still change."""
    challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=for_update)
    check_owner(actor, challenge)
    if challenge.status not in EDITABLE_STATUSES or challenge.application_count > 0:
        raise Conflict(
            "the challenge can no longer change: it has applications or is no longer open",
            code="challenge_locked",
        )
    return challenge


def describe_size(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KB"
    return f"{size} bytes"
