"""Challenge attachments: typed by content, named safely, limited, only the challenger's, and
only while the challenge's substance may still change."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest
from sqlalchemy import delete, select

from openchance import Conflict, InvalidInput, NotAuthenticated, NotFound, OpenChance
from openchance.actor import Actor, Role
from openchance.challenges.attachments import delete_challenge_attachments
from openchance.errors import PermissionDenied
from openchance.files.content_types import JPEG, PDF, PNG, detect_content_type
from openchance.files.filenames import MAX_FILENAME_LENGTH, safe_filename
from openchance.models.challenges import (
    Challenge,
    ChallengeAttachment,
    ChallengeStatus,
    Visibility,
)
from tests.factories.challenges import insert_challenge
from tests.factories.documents import (
    CSV,
    DOCX_TYPE,
    HTML_PAGE,
    LINUX_ELF,
    MARKDOWN,
    ODT_TYPE,
    PPTX_TYPE,
    SVG_WITH_SCRIPT,
    WINDOWS_EXE,
    XLSX_TYPE,
    odt_bytes,
    office_bytes,
    pdf_bytes,
    png_bytes,
    zip_bytes,
)
from tests.factories.images import image_bytes
from tests.factories.users import actor_for, create_user
from tests.support.jobs import drain

MAX_BYTES = 64 * 1024
MAX_ATTACHMENTS = 3


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "challenge_attachment_max_bytes": MAX_BYTES,
        "challenge_attachments_max": MAX_ATTACHMENTS,
    }


@pytest.fixture
async def ada(oc: OpenChance) -> Actor:
    """The challenger."""
    await create_user(oc, email="ada@example.org")
    return await actor_for(oc, "ada@example.org")


@pytest.fixture
async def bob(oc: OpenChance) -> Actor:
    """A solver."""
    await create_user(oc, email="bob@example.org")
    return await actor_for(oc, "bob@example.org")


@pytest.fixture
async def moderator(oc: OpenChance) -> Actor:
    await create_user(oc, email="mod@example.org", role=Role.MODERATOR)
    return await actor_for(oc, "mod@example.org")


@pytest.fixture
async def challenge_id(oc: OpenChance, ada: Actor) -> uuid.UUID:
    """Ada's draft."""
    assert ada.user_id is not None
    return await insert_challenge(oc, ada.user_id, status=ChallengeStatus.DRAFT)


async def attachment_rows(oc: OpenChance, challenge_id: uuid.UUID) -> list[ChallengeAttachment]:
    async with oc.unit_of_work(read_only=True) as uow:
        rows = await uow.session.scalars(
            select(ChallengeAttachment).where(ChallengeAttachment.challenge_id == challenge_id)
        )
        return list(rows.all())


def stored_files(oc: OpenChance, challenge_id: uuid.UUID) -> list[str]:
    """Names of the files the local store holds for the challenge."""
    folder = oc.settings.files_directory / "objects" / "challenge-attachments" / str(challenge_id)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


class TestTheContentDecidesTheType:
    @pytest.mark.parametrize(
        ("data", "given", "content_type", "filename"),
        [
            (pdf_bytes(), "brief.pdf", "application/pdf", "brief.pdf"),
            (png_bytes(), "mock-up.png", "image/png", "mock-up.png"),
            (image_bytes(format="JPEG"), "photo.jpeg", "image/jpeg", "photo.jpeg"),
            (image_bytes(format="GIF"), "loop.gif", "image/gif", "loop.gif"),
            (image_bytes(format="WEBP"), "shot.webp", "image/webp", "shot.webp"),
            (zip_bytes(), "sample-data.zip", "application/zip", "sample-data.zip"),
            (zip_bytes(), "odd-export.docx", "application/zip", "odd-export.docx"),
            (office_bytes("word/document.xml"), "terms.docx", DOCX_TYPE, "terms.docx"),
            (office_bytes("xl/workbook.xml"), "budget.xlsx", XLSX_TYPE, "budget.xlsx"),
            (office_bytes("ppt/presentation.xml"), "pitch.pptx", PPTX_TYPE, "pitch.pptx"),
            (odt_bytes(), "letter.odt", ODT_TYPE, "letter.odt"),
            (b"plain notes\n", "notes.txt", "text/plain", "notes.txt"),
            (MARKDOWN, "README.md", "text/plain", "README.md"),
            (CSV, "sales.csv", "text/plain", "sales.csv"),
        ],
    )
    async def test_accepted_documents_keep_their_name_and_get_their_real_type(
        self,
        oc: OpenChance,
        ada: Actor,
        challenge_id: uuid.UUID,
        data: bytes,
        given: str,
        content_type: str,
        filename: str,
    ) -> None:
        attachment = await oc.challenge_attachments.add_attachment(ada, challenge_id, data, given)

        assert (attachment.content_type, attachment.filename) == (content_type, filename)
        assert attachment.size_bytes == len(data)

    async def test_a_png_named_pdf_is_stored_as_a_png_named_png(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        attachment = await oc.challenge_attachments.add_attachment(
            ada, challenge_id, png_bytes(), "invoice.pdf"
        )

        assert (attachment.content_type, attachment.filename) == ("image/png", "invoice.png")
        [row] = await attachment_rows(oc, challenge_id)
        assert row.key.endswith(".png")

    async def test_a_word_document_named_zip_is_a_word_document(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        attachment = await oc.challenge_attachments.add_attachment(
            ada, challenge_id, office_bytes("word/document.xml"), "terms.zip"
        )

        assert (attachment.content_type, attachment.filename) == (DOCX_TYPE, "terms.docx")

    async def test_the_bytes_are_stored_unchanged_under_a_random_key(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        data = pdf_bytes()

        await oc.challenge_attachments.add_attachment(ada, challenge_id, data, "brief.pdf")

        [row] = await attachment_rows(oc, challenge_id)
        assert row.key.startswith(f"challenge-attachments/{challenge_id}/")
        assert "brief" not in row.key
        assert await oc.file_store.get(row.key) == data

    @pytest.mark.parametrize(
        ("data", "given"),
        [
            (WINDOWS_EXE, "report.pdf"),
            (LINUX_ELF, "report.pdf"),
            (HTML_PAGE, "report.pdf"),
            (HTML_PAGE, "page.txt"),
            (b"  \n<div>hello</div>", "notes.md"),
            (SVG_WITH_SCRIPT, "logo.png"),
            (b'<?xml version="1.0"?><note/>', "notes.txt"),
            (b"text with a \x00 NUL byte", "notes.txt"),
            (b"\x1b[31mterminal escapes\x1b[0m", "notes.txt"),
            ("latin-1 café".encode("latin-1"), "notes.txt"),
            (b"\x1f\x8b\x08\x00" + b"\x00" * 40, "data.gz"),
        ],
        ids=[
            "exe",
            "elf",
            "html-as-pdf",
            "html-as-txt",
            "html-after-space",
            "svg",
            "xml",
            "nul",
            "escapes",
            "not-utf8",
            "gzip",
        ],
    )
    async def test_anything_else_is_refused_whatever_its_name(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID, data: bytes, given: str
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.challenge_attachments.add_attachment(ada, challenge_id, data, given)

        assert raised.value.code == "unsupported_file_type"
        assert await attachment_rows(oc, challenge_id) == []
        assert stored_files(oc, challenge_id) == []

    async def test_an_empty_file_is_refused(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.challenge_attachments.add_attachment(ada, challenge_id, b"", "empty.txt")

        assert raised.value.code == "empty_file"

    def test_markdown_that_mentions_html_later_on_is_text(self) -> None:
        assert detect_content_type(b"# Notes\n\nUse <b>bold</b> sparingly.\n").content_type == (
            "text/plain"
        )


class TestSafeFilenames:
    def test_only_the_last_path_segment_is_kept(self) -> None:
        assert safe_filename("../../etc/passwd.pdf", PDF) == "passwd.pdf"
        assert safe_filename("C:\\Users\\ada\\brief.pdf", PDF) == "brief.pdf"

    def test_control_and_direction_characters_are_removed(self) -> None:
        # U+202E would show "brief\u202efdp.exe" as "briefexe.pdf".
        assert safe_filename("brief\u202egnp.exe\r\n.png", PNG) == "briefgnp.exe.png"

    def test_characters_windows_refuses_become_underscores(self) -> None:
        assert safe_filename('a"b<c>d|e?f*.pdf', PDF) == "a_b_c_d_e_f_.pdf"

    def test_a_wrong_extension_is_replaced_and_a_missing_one_added(self) -> None:
        assert safe_filename("holiday.pdf", PNG) == "holiday.png"
        assert safe_filename("scan", JPEG) == "scan.jpg"
        assert safe_filename("v1.2 final", PDF) == "v1.2 final.pdf"

    def test_an_extension_that_fits_keeps_its_spelling(self) -> None:
        assert safe_filename("Photo.JPEG", JPEG) == "Photo.JPEG"

    def test_a_name_with_nothing_left_becomes_attachment(self) -> None:
        assert safe_filename("../..", PDF) == "attachment.pdf"
        assert safe_filename("", PDF) == "attachment.pdf"

    def test_windows_device_names_are_defused(self) -> None:
        assert safe_filename("CON.pdf", PDF) == "_CON.pdf"

    def test_a_long_name_is_cut_keeping_the_extension(self) -> None:
        name = safe_filename("x" * 500 + ".pdf", PDF)

        assert len(name) == MAX_FILENAME_LENGTH
        assert name.endswith("x.pdf")


class TestLimits:
    async def test_a_file_over_the_size_limit_is_refused(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        too_big = b"a" * (MAX_BYTES + 1)

        with pytest.raises(InvalidInput) as raised:
            await oc.challenge_attachments.add_attachment(ada, challenge_id, too_big, "big.txt")

        assert raised.value.code == "file_too_large"
        assert stored_files(oc, challenge_id) == []

    async def test_a_file_of_exactly_the_limit_is_accepted(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        attachment = await oc.challenge_attachments.add_attachment(
            ada, challenge_id, b"a" * MAX_BYTES, "big.txt"
        )

        assert attachment.size_bytes == MAX_BYTES

    async def test_one_more_than_the_maximum_number_is_refused(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        for number in range(MAX_ATTACHMENTS):
            await oc.challenge_attachments.add_attachment(
                ada, challenge_id, b"notes", f"notes-{number}.txt"
            )

        with pytest.raises(Conflict) as raised:
            await oc.challenge_attachments.add_attachment(ada, challenge_id, b"more", "more.txt")

        assert raised.value.code == "too_many_attachments"
        assert len(stored_files(oc, challenge_id)) == MAX_ATTACHMENTS

    async def test_a_client_file_name_of_over_1024_characters_is_refused(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.challenge_attachments.add_attachment(
                ada, challenge_id, b"notes", "n" * 1025 + ".txt"
            )

        assert raised.value.code == "invalid_filename"

    @pytest.mark.postgres_only
    async def test_concurrent_uploads_for_the_last_place_leave_one_file(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        for number in range(MAX_ATTACHMENTS - 1):
            await oc.challenge_attachments.add_attachment(
                ada, challenge_id, b"notes", f"notes-{number}.txt"
            )
        outcomes: list[str] = []

        async def upload(number: int) -> None:
            try:
                await oc.challenge_attachments.add_attachment(
                    ada, challenge_id, b"racing", f"race-{number}.txt"
                )
                outcomes.append("added")
            except Conflict as error:
                outcomes.append(error.code)

        async with anyio.create_task_group() as group:
            for number in range(4):
                group.start_soon(upload, number)

        assert sorted(outcomes) == ["added"] + ["too_many_attachments"] * 3
        assert len(await attachment_rows(oc, challenge_id)) == MAX_ATTACHMENTS
        # Refused uploads that got as far as the store took their file back out.
        assert len(stored_files(oc, challenge_id)) == MAX_ATTACHMENTS


class TestWhoMayAttach:
    async def test_a_solver_may_not_attach_to_a_challenge_they_can_see(
        self, oc: OpenChance, ada: Actor, bob: Actor
    ) -> None:
        assert ada.user_id is not None
        open_id = await insert_challenge(oc, ada.user_id, status=ChallengeStatus.OPEN)

        with pytest.raises(PermissionDenied) as raised:
            await oc.challenge_attachments.add_attachment(bob, open_id, b"notes", "notes.txt")

        assert raised.value.code == "not_challenge_owner"

    async def test_someone_else_s_draft_is_not_found(
        self, oc: OpenChance, bob: Actor, challenge_id: uuid.UUID
    ) -> None:
        with pytest.raises(NotFound):
            await oc.challenge_attachments.add_attachment(bob, challenge_id, b"notes", "notes.txt")

    async def test_staff_see_the_draft_but_may_not_attach_to_it(
        self, oc: OpenChance, moderator: Actor, challenge_id: uuid.UUID
    ) -> None:
        with pytest.raises(PermissionDenied):
            await oc.challenge_attachments.add_attachment(
                moderator, challenge_id, b"notes", "notes.txt"
            )

    async def test_anonymous_visitors_must_sign_in(
        self, oc: OpenChance, challenge_id: uuid.UUID
    ) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.challenge_attachments.add_attachment(
                Actor.anonymous(), challenge_id, b"notes", "notes.txt"
            )

    async def test_an_unknown_challenge_is_not_found(self, oc: OpenChance, ada: Actor) -> None:
        with pytest.raises(NotFound):
            await oc.challenge_attachments.add_attachment(ada, uuid.uuid4(), b"notes", "notes.txt")


class TestLockedChallenges:
    @pytest.mark.parametrize(
        "status",
        [ChallengeStatus.DRAFT, ChallengeStatus.PENDING_REVIEW, ChallengeStatus.OPEN],
    )
    async def test_drafts_challenges_in_review_and_open_ones_take_attachments(
        self, oc: OpenChance, ada: Actor, status: ChallengeStatus
    ) -> None:
        assert ada.user_id is not None
        challenge_id = await insert_challenge(oc, ada.user_id, status=status)

        await oc.challenge_attachments.add_attachment(ada, challenge_id, b"notes", "notes.txt")

        assert len(await attachment_rows(oc, challenge_id)) == 1

    async def test_an_open_challenge_with_an_application_is_locked(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        assert ada.user_id is not None
        challenge_id = await insert_challenge(
            oc, ada.user_id, status=ChallengeStatus.OPEN, application_count=1
        )

        with pytest.raises(Conflict) as raised:
            await oc.challenge_attachments.add_attachment(ada, challenge_id, b"notes", "notes.txt")

        assert raised.value.code == "challenge_locked"
        assert stored_files(oc, challenge_id) == []

    @pytest.mark.parametrize(
        "status",
        [
            ChallengeStatus.IN_PROGRESS,
            ChallengeStatus.IN_REVIEW,
            ChallengeStatus.COMPLETED,
            ChallengeStatus.CANCELLED,
            ChallengeStatus.EXPIRED,
        ],
    )
    async def test_a_challenge_past_open_is_locked(
        self, oc: OpenChance, ada: Actor, status: ChallengeStatus
    ) -> None:
        assert ada.user_id is not None
        challenge_id = await insert_challenge(oc, ada.user_id, status=status)

        with pytest.raises(Conflict) as raised:
            await oc.challenge_attachments.add_attachment(ada, challenge_id, b"notes", "notes.txt")

        assert raised.value.code == "challenge_locked"


class TestListAttachments:
    async def test_anyone_lists_a_public_challenge_s_attachments_oldest_first(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        assert ada.user_id is not None
        challenge_id = await insert_challenge(oc, ada.user_id, status=ChallengeStatus.OPEN)
        first = await oc.challenge_attachments.add_attachment(
            ada, challenge_id, pdf_bytes(), "brief.pdf"
        )
        second = await oc.challenge_attachments.add_attachment(ada, challenge_id, CSV, "data.csv")

        listed = await oc.challenge_attachments.list_attachments(Actor.anonymous(), challenge_id)

        assert [item.id for item in listed] == [first.id, second.id]
        assert [(item.filename, item.content_type) for item in listed] == [
            ("brief.pdf", "application/pdf"),
            ("data.csv", "text/plain"),
        ]
        assert all(item.download_url and item.created_at for item in listed)

    async def test_a_draft_s_attachments_are_hidden_from_others(
        self, oc: OpenChance, ada: Actor, bob: Actor, challenge_id: uuid.UUID
    ) -> None:
        await oc.challenge_attachments.add_attachment(ada, challenge_id, b"notes", "notes.txt")

        with pytest.raises(NotFound):
            await oc.challenge_attachments.list_attachments(bob, challenge_id)

    async def test_a_private_challenge_s_attachments_are_for_invitees_only(
        self, oc: OpenChance, ada: Actor, bob: Actor
    ) -> None:
        assert ada.user_id is not None
        carol_id = await create_user(oc, email="carol@example.org")
        carol = await actor_for(oc, "carol@example.org")
        challenge_id = await insert_challenge(
            oc,
            ada.user_id,
            status=ChallengeStatus.OPEN,
            visibility=Visibility.PRIVATE,
            invitees=[carol_id],
        )
        await oc.challenge_attachments.add_attachment(ada, challenge_id, b"notes", "notes.txt")

        assert len(await oc.challenge_attachments.list_attachments(carol, challenge_id)) == 1
        with pytest.raises(NotFound):
            await oc.challenge_attachments.list_attachments(bob, challenge_id)


class TestRemoveAttachment:
    async def test_the_challenger_removes_one_and_its_file_goes_after_the_commit(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        attachment = await oc.challenge_attachments.add_attachment(
            ada, challenge_id, b"notes", "notes.txt"
        )

        await oc.challenge_attachments.remove_attachment(ada, challenge_id, attachment.id)

        assert await attachment_rows(oc, challenge_id) == []
        assert len(stored_files(oc, challenge_id)) == 1  # until the job runs
        await drain(oc)
        assert stored_files(oc, challenge_id) == []

    async def test_an_attachment_of_another_challenge_is_not_found(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        assert ada.user_id is not None
        other_id = await insert_challenge(oc, ada.user_id, status=ChallengeStatus.DRAFT)
        attachment = await oc.challenge_attachments.add_attachment(
            ada, other_id, b"notes", "notes.txt"
        )

        with pytest.raises(NotFound):
            await oc.challenge_attachments.remove_attachment(ada, challenge_id, attachment.id)

        assert len(await attachment_rows(oc, other_id)) == 1

    async def test_a_solver_may_not_remove_one(
        self, oc: OpenChance, ada: Actor, bob: Actor
    ) -> None:
        assert ada.user_id is not None
        challenge_id = await insert_challenge(oc, ada.user_id, status=ChallengeStatus.OPEN)
        attachment = await oc.challenge_attachments.add_attachment(
            ada, challenge_id, b"notes", "notes.txt"
        )

        with pytest.raises(PermissionDenied):
            await oc.challenge_attachments.remove_attachment(bob, challenge_id, attachment.id)

    async def test_a_locked_challenge_keeps_its_attachments(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        attachment = await oc.challenge_attachments.add_attachment(
            ada, challenge_id, b"notes", "notes.txt"
        )
        async with oc.unit_of_work() as uow:
            challenge = await uow.session.get(Challenge, challenge_id)
            assert challenge is not None
            challenge.status = ChallengeStatus.OPEN
            challenge.application_count = 1

        with pytest.raises(Conflict) as raised:
            await oc.challenge_attachments.remove_attachment(ada, challenge_id, attachment.id)

        assert raised.value.code == "challenge_locked"
        assert len(await attachment_rows(oc, challenge_id)) == 1


class TestDeleteChallengeAttachments:
    async def test_deleting_a_draft_deletes_its_files_once_the_job_runs(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        await oc.challenge_attachments.add_attachment(ada, challenge_id, b"one", "one.txt")
        await oc.challenge_attachments.add_attachment(ada, challenge_id, pdf_bytes(), "two.pdf")

        async with oc.unit_of_work() as uow:
            await delete_challenge_attachments(uow, challenge_id)
            await uow.session.execute(delete(Challenge).where(Challenge.id == challenge_id))

        assert await attachment_rows(oc, challenge_id) == []
        await drain(oc)
        assert stored_files(oc, challenge_id) == []

    async def test_a_deletion_that_rolls_back_keeps_the_files(
        self, oc: OpenChance, ada: Actor, challenge_id: uuid.UUID
    ) -> None:
        await oc.challenge_attachments.add_attachment(ada, challenge_id, b"one", "one.txt")

        async def delete_then_fail() -> None:
            async with oc.unit_of_work() as uow:
                await delete_challenge_attachments(uow, challenge_id)
                raise RuntimeError("the deletion failed")

        with pytest.raises(RuntimeError):
            await delete_then_fail()

        await drain(oc)
        assert len(await attachment_rows(oc, challenge_id)) == 1
        assert len(stored_files(oc, challenge_id)) == 1

    async def test_a_challenge_without_attachments_is_no_error(
        self, oc: OpenChance, challenge_id: uuid.UUID
    ) -> None:
        async with oc.unit_of_work() as uow:
            await delete_challenge_attachments(uow, challenge_id)

        assert await attachment_rows(oc, challenge_id) == []
