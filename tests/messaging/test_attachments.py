"""Messages with files: checked by content, limited, stored with the message or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from openchance import Actor, OpenChance, Settings
from openchance.errors import InvalidInput, NotFound
from openchance.messaging.schemas import FileUpload, MessageQuery, MessageWithFilesCreate
from openchance.models.events import EventRecord
from openchance.models.messaging import MessageAttachment
from tests.factories.documents import WINDOWS_EXE, pdf_bytes, png_bytes
from tests.factories.messaging import ConversationIds

MAX_BYTES = 4096


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"message_attachment_max_bytes": MAX_BYTES, "message_attachments_max": 2}


def stored_files(settings: Settings) -> list[Path]:
    """The files the local store holds (their metadata lies next to them, under meta/)."""
    return [p for p in (settings.files_directory / "objects").rglob("*") if p.is_file()]


async def post_files(
    oc: OpenChance,
    actor: Actor,
    conversation: ConversationIds,
    *files: FileUpload,
    body: str = "",
    client_id: str | None = None,
) -> Any:
    return await oc.messaging.post_message_with_attachments(
        actor,
        conversation.conversation_id,
        MessageWithFilesCreate(body=body, client_id=client_id),
        list(files),
    )


class TestPostMessageWithAttachments:
    async def test_files_are_attached_and_described_by_their_content(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        outcome = await post_files(
            oc, solver, conversation, FileUpload(png_bytes(), "scan.pdf"), body="Here"
        )

        assert outcome.created
        (attachment,) = outcome.message.attachments
        assert (attachment.filename, attachment.content_type) == ("scan.png", "image/png")
        assert attachment.download_url

    async def test_the_body_may_be_empty_with_files(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        outcome = await post_files(oc, solver, conversation, FileUpload(pdf_bytes(), "a.pdf"))
        assert outcome.message.body == ""

    async def test_history_shows_the_files_in_upload_order(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor, challenger: Actor
    ) -> None:
        await post_files(
            oc,
            solver,
            conversation,
            FileUpload(pdf_bytes(), "b.pdf"),
            FileUpload(png_bytes(), "a.png"),
        )

        page = await oc.messaging.list_messages(
            challenger, conversation.conversation_id, MessageQuery()
        )
        assert [a.filename for a in page.items[0].attachments] == ["b.pdf", "a.png"]

    async def test_the_announced_message_carries_its_files(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        outcome = await post_files(oc, solver, conversation, FileUpload(pdf_bytes(), "a.pdf"))
        async with oc.unit_of_work(read_only=True) as uow:
            event = await uow.session.scalar(
                select(EventRecord).where(EventRecord.name == "message.posted")
            )
        assert event is not None
        assert event.payload["message"] == outcome.message.model_dump(mode="json")

    async def test_a_resend_stores_no_second_copy(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor, settings: Settings
    ) -> None:
        first = await post_files(
            oc, solver, conversation, FileUpload(pdf_bytes(), "a.pdf"), client_id="f-1"
        )
        again = await post_files(
            oc, solver, conversation, FileUpload(pdf_bytes(), "a.pdf"), client_id="f-1"
        )

        assert (again.created, again.message.id) == (False, first.message.id)
        assert len(again.message.attachments) == 1
        assert len(stored_files(settings)) == 1

    async def test_nothing_at_all_is_refused(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await post_files(oc, solver, conversation, body="   ")
        assert raised.value.code == "empty_message"

    async def test_a_disallowed_type_is_refused_and_nothing_is_kept(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor, settings: Settings
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await post_files(
                oc,
                solver,
                conversation,
                FileUpload(pdf_bytes(), "ok.pdf"),
                FileUpload(WINDOWS_EXE, "brief.pdf"),
            )
        assert raised.value.code == "unsupported_file_type"
        assert stored_files(settings) == []

    async def test_too_large_a_file_is_refused(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await post_files(oc, solver, conversation, FileUpload(b"a" * (MAX_BYTES + 1), "a.txt"))
        assert raised.value.code == "file_too_large"

    async def test_too_many_files_are_refused(
        self, oc: OpenChance, conversation: ConversationIds, solver: Actor
    ) -> None:
        files = [FileUpload(b"note", f"{n}.txt") for n in range(3)]
        with pytest.raises(InvalidInput) as raised:
            await post_files(oc, solver, conversation, *files)
        assert raised.value.code == "too_many_attachments"

    async def test_a_stranger_cannot_post_files_and_nothing_is_stored(
        self, oc: OpenChance, conversation: ConversationIds, stranger: Actor, settings: Settings
    ) -> None:
        with pytest.raises(NotFound):
            await post_files(oc, stranger, conversation, FileUpload(pdf_bytes(), "a.pdf"))
        assert stored_files(settings) == []

    async def test_a_failed_transaction_deletes_the_stored_files(
        self,
        oc: OpenChance,
        conversation: ConversationIds,
        solver: Actor,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from openchance.messaging import service

        async def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("the database went away")

        monkeypatch.setattr(service, "append_message", broken)
        with pytest.raises(RuntimeError):
            await post_files(oc, solver, conversation, FileUpload(pdf_bytes(), "a.pdf"))

        assert stored_files(settings) == []
        async with oc.unit_of_work(read_only=True) as uow:
            assert await uow.session.scalar(select(MessageAttachment.id)) is None
