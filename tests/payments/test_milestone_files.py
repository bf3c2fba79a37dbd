"""A winner delivers files with a milestone: they send them in the application's
conversation and cite those messages; the challenger sees the files on the milestone."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from openchance import Actor, OpenChance
from openchance.errors import InvalidInput
from openchance.messaging.schemas import FileUpload, MessageCreate, MessageWithFilesCreate
from openchance.models.messaging import Conversation
from openchance.payments.milestone_schemas import MilestoneRead, MilestoneSubmit
from tests.factories.documents import pdf_bytes
from tests.factories.payments import Winners, accepted_winners, fund


async def funded(oc: OpenChance) -> tuple[Winners, MilestoneRead, uuid.UUID]:
    """A funded winner's milestone, and the id of their application's conversation."""
    winners = await accepted_winners(oc)
    await fund(oc, winners.owner, winners.challenge_id)
    [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
    async with oc.unit_of_work(read_only=True) as uow:
        conversation_id = await uow.session.scalar(
            select(Conversation.id).where(Conversation.application_id == milestone.application_id)
        )
    assert conversation_id is not None
    return winners, milestone, conversation_id


async def send_file(oc: OpenChance, actor: Actor, conversation_id: uuid.UUID) -> uuid.UUID:
    outcome = await oc.messaging.post_message_with_attachments(
        actor, conversation_id, MessageWithFilesCreate(body="The report."),
        [FileUpload(data=pdf_bytes(), filename="report.pdf")],
    )  # fmt: skip
    return outcome.message.id


def delivery(*message_ids: uuid.UUID) -> MilestoneSubmit:
    return MilestoneSubmit(note="Delivered: see the report.", message_ids=list(message_ids))


class TestDeliveryFiles:
    async def test_the_challenger_sees_the_files_of_the_cited_messages(
        self, oc: OpenChance
    ) -> None:
        winners, milestone, conversation_id = await funded(oc)
        message_id = await send_file(oc, winners.solvers[0], conversation_id)
        await oc.milestones.submit_milestone(winners.solvers[0], milestone.id, delivery(message_id))

        seen = await oc.milestones.get_milestone(winners.owner, milestone.id)

        [file] = seen.delivery_files
        assert file.message_id == message_id
        assert file.filename == "report.pdf"
        assert file.content_type == "application/pdf"

    async def test_a_delivery_without_files_has_none(self, oc: OpenChance) -> None:
        winners, milestone, _ = await funded(oc)

        submitted = await oc.milestones.submit_milestone(
            winners.solvers[0], milestone.id, delivery()
        )

        assert submitted.delivery_files == []

    async def test_citing_the_challengers_message_is_refused(self, oc: OpenChance) -> None:
        winners, milestone, conversation_id = await funded(oc)
        theirs = await oc.messaging.post_message(
            winners.owner, conversation_id, MessageCreate(body="Looking forward to it.")
        )

        with pytest.raises(InvalidInput) as refused:
            await oc.milestones.submit_milestone(
                winners.solvers[0], milestone.id, delivery(theirs.id)
            )

        assert refused.value.code == "unknown_message"

    async def test_citing_a_message_from_elsewhere_is_refused(self, oc: OpenChance) -> None:
        winners, milestone, _ = await funded(oc)

        with pytest.raises(InvalidInput) as refused:
            await oc.milestones.submit_milestone(
                winners.solvers[0], milestone.id, delivery(uuid.uuid4())
            )

        assert refused.value.code == "unknown_message"
