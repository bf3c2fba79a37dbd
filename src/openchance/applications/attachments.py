"""Files attached to an application: a CV, a portfolio piece, a sample of past work.

Only the solver attaches and removes them, and only while the application is submitted
(409 ``application_locked`` afterwards: the challenger decides on what was sent). The rules
of challenge attachments apply (``openchance.challenges.attachments``): what a file is is
decided by its content, the download name is made safe, files live under a random key
behind signed URLs, a file is written before its row and deleted again when that
transaction fails, and a removed file is deleted by the ``files.delete`` job after the
commit. The limits are ``application_attachment_max_bytes`` and
``application_attachments_max``.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from typing import TYPE_CHECKING

import anyio
from sqlalchemy import func, select

from openchance.actor import Actor
from openchance.applications.policy import (
    check_applicant,
    load_visible_application,
    lock_visible_application,
)
from openchance.applications.schemas import ApplicationAttachmentRead
from openchance.applications.views import read_attachment
from openchance.applications.workflow import EDITABLE_STATUSES
from openchance.challenges.attachments import MAX_GIVEN_FILENAME_LENGTH, describe_size
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from openchance.files.content_types import detect_content_type
from openchance.files.filenames import safe_filename
from openchance.files.jobs import DELETE_FILE, DeleteFile
from openchance.models.applications import Application, ApplicationAttachment

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

KEY_PREFIX = "application-attachments"


class ApplicationAttachmentService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def add_attachment(
        self, actor: Actor, application_id: uuid.UUID, data: bytes, filename: str
    ) -> ApplicationAttachmentRead:
        """Attach the file in ``data`` (``filename`` decides only the download name).

        404 when the actor cannot see the application, 403 ``not_applicant`` for anyone
        but its solver, 409 ``application_locked`` once it is no longer submitted, 409
        ``too_many_attachments`` past ``application_attachments_max``, 422
        ``file_too_large`` past ``application_attachment_max_bytes``, ``empty_file``,
        ``unsupported_file_type``, ``invalid_filename``."""
        if actor.user_id is None:
            raise NotAuthenticated("sign in first")
        if len(filename) > MAX_GIVEN_FILENAME_LENGTH:
            raise InvalidInput("the file name is too long", code="invalid_filename")
        limit = self._platform.settings.application_attachment_max_bytes
        if len(data) > limit:
            raise InvalidInput(
                f"the file is larger than {describe_size(limit)}", code="file_too_large"
            )
        # Refuse early, before any work on the content or the store; checked again below
        # under the locks.
        async with self._platform.unit_of_work(read_only=True) as uow:
            application, _ = await load_visible_application(uow, actor, application_id)
            _check_editable(actor, application)
            await self._check_room(uow, application.id)
        detected = await anyio.to_thread.run_sync(detect_content_type, data)
        name = safe_filename(filename, detected)
        key = f"{KEY_PREFIX}/{application_id}/{secrets.token_urlsafe(18)}.{detected.extension}"
        store = self._platform.file_store
        await store.put(key, data, detected.content_type)
        try:
            async with self._platform.unit_of_work() as uow:
                application, _ = await lock_visible_application(uow, actor, application_id)
                _check_editable(actor, application)
                await self._check_room(uow, application.id)
                attachment = ApplicationAttachment(
                    id=uuid.uuid4(),
                    application_id=application.id,
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
        return await read_attachment(self._platform.files, attachment)

    async def remove_attachment(
        self, actor: Actor, application_id: uuid.UUID, attachment_id: uuid.UUID
    ) -> None:
        """Remove an attachment (the solver, while the application is submitted); its file
        is deleted once this commits. 404 for an attachment of another application."""
        async with self._platform.unit_of_work() as uow:
            application, _ = await lock_visible_application(uow, actor, application_id)
            _check_editable(actor, application)
            attachment = await uow.session.scalar(
                select(ApplicationAttachment).where(
                    ApplicationAttachment.id == attachment_id,
                    ApplicationAttachment.application_id == application.id,
                )
            )
            if attachment is None:
                raise NotFound("attachment", attachment_id)
            await uow.enqueue(DELETE_FILE, DeleteFile(key=attachment.key))
            await uow.session.delete(attachment)
            await uow.flush()

    async def _check_room(self, uow: UnitOfWork, application_id: uuid.UUID) -> None:
        limit = self._platform.settings.application_attachments_max
        count = await uow.session.scalar(
            select(func.count())
            .select_from(ApplicationAttachment)
            .where(ApplicationAttachment.application_id == application_id)
        )
        if (count or 0) >= limit:
            raise Conflict(
                f"an application has at most {limit} attachments", code="too_many_attachments"
            )


def _check_editable(actor: Actor, application: Application) -> None:
    check_applicant(actor, application)
    if application.status not in EDITABLE_STATUSES:
        raise Conflict(
            f"the application can no longer change once it is {application.status.value}",
            code="application_locked",
            status=application.status.value,
        )
