"""Dated clarifications on a published challenge, announced to those working on it."""

from __future__ import annotations

import uuid

import pytest

from openchance import OpenChance, Role
from openchance.challenges.clarifications import clarification_recipients
from openchance.challenges.repository import load_challenge
from openchance.challenges.schemas import ClarificationCreate
from openchance.db.types import utcnow
from openchance.errors import Conflict, NotFound, PermissionDenied
from openchance.models.challenges import ChallengeInvite, ChallengeStatus, InviteStatus
from tests.challenges.drafting import (
    draft,
    events_named,
    notifications_of,
    opened,
    person,
    set_columns,
)
from tests.factories.users import SYSTEM


def note(body: str = "The data covers 2022 and 2023 only.") -> ClarificationCreate:
    return ClarificationCreate(body=body)


async def invite(
    oc: OpenChance, challenge_id: uuid.UUID, user_id: uuid.UUID | None, status: InviteStatus
) -> None:
    async with oc.unit_of_work() as uow:
        uow.session.add(
            ChallengeInvite(
                challenge_id=challenge_id, user_id=user_id, status=status, created_at=utcnow()
            )
        )


class TestAddClarification:
    async def test_the_challenger_adds_a_dated_clarification(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await opened(oc, ada, SYSTEM)

        added = await oc.challenges.add_clarification(ada, challenge.id, note("**Note**: 2022"))

        assert added.body == "**Note**: 2022"
        assert added.body_html == "<p><strong>Note</strong>: 2022</p>"
        seen = await oc.challenges.get_challenge(await person(oc, "bob"), challenge.id)
        assert [(c.id, c.created_at) for c in seen.clarifications] == [(added.id, added.created_at)]
        (event,) = await events_named(oc, "challenge.clarified")
        assert event["clarification_id"] == str(added.id)

    async def test_clarifications_are_listed_oldest_first(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await opened(oc, ada, SYSTEM)
        for body in ("first", "second", "third"):
            await oc.challenges.add_clarification(ada, challenge.id, note(body))

        seen = await oc.challenges.get_challenge(ada, challenge.id)

        assert [c.body for c in seen.clarifications] == ["first", "second", "third"]

    async def test_invited_solvers_are_notified_once_each(self, oc: OpenChance) -> None:
        ada, bob, cy = await person(oc, "ada"), await person(oc, "bob"), await person(oc, "cy")
        challenge = await opened(oc, ada, SYSTEM)
        await invite(oc, challenge.id, bob.user_id, InviteStatus.PENDING)
        await invite(oc, challenge.id, cy.user_id, InviteStatus.DECLINED)

        added = await oc.challenges.add_clarification(ada, challenge.id, note())

        (told,) = await notifications_of(oc, bob.user_id)
        assert told.kind == "challenge.clarified"
        assert told.data == {"challenge_id": str(challenge.id), "clarification_id": str(added.id)}
        assert await notifications_of(oc, cy.user_id) == []
        assert "challenge.clarified" not in [
            n.kind for n in await notifications_of(oc, ada.user_id)
        ]

    async def test_the_recipients_are_the_pending_invitees_for_now(self, oc: OpenChance) -> None:
        ada, bob = await person(oc, "ada"), await person(oc, "bob")
        challenge = await opened(oc, ada, SYSTEM)
        await invite(oc, challenge.id, bob.user_id, InviteStatus.PENDING)

        async with oc.unit_of_work(read_only=True) as uow:
            recipients = await clarification_recipients(
                uow, await load_challenge(uow, challenge.id)
            )

        assert recipients == [bob.user_id]

    @pytest.mark.parametrize("status", [ChallengeStatus.IN_PROGRESS, ChallengeStatus.IN_REVIEW])
    async def test_work_under_way_still_takes_clarifications(
        self, oc: OpenChance, status: ChallengeStatus
    ) -> None:
        ada = await person(oc)
        challenge = await opened(oc, ada, SYSTEM)
        await set_columns(oc, challenge.id, status=status)

        assert (await oc.challenges.add_clarification(ada, challenge.id, note())).body

    async def test_a_draft_is_edited_not_clarified(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.add_clarification(ada, challenge.id, note())

        assert caught.value.code == "clarification_not_allowed"

    @pytest.mark.parametrize(
        "status", [ChallengeStatus.COMPLETED, ChallengeStatus.CANCELLED, ChallengeStatus.EXPIRED]
    )
    async def test_a_finished_challenge_takes_no_clarification(
        self, oc: OpenChance, status: ChallengeStatus
    ) -> None:
        ada = await person(oc)
        challenge = await opened(oc, ada, SYSTEM)
        await set_columns(oc, challenge.id, status=status)

        with pytest.raises(Conflict) as caught:
            await oc.challenges.add_clarification(ada, challenge.id, note())

        assert caught.value.code == "clarification_not_allowed"

    async def test_only_the_challenger_clarifies(self, oc: OpenChance) -> None:
        challenge = await opened(oc, await person(oc, "ada"), SYSTEM)
        moderator = await person(oc, "mod", Role.MODERATOR)

        for someone in (await person(oc, "bob"), moderator):
            with pytest.raises(PermissionDenied):
                await oc.challenges.add_clarification(someone, challenge.id, note())

    async def test_someone_elses_draft_is_not_found(self, oc: OpenChance) -> None:
        challenge = await draft(oc, await person(oc, "ada"))

        with pytest.raises(NotFound):
            await oc.challenges.add_clarification(await person(oc, "bob"), challenge.id, note())

    async def test_html_in_a_clarification_is_sanitised(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await opened(oc, ada, SYSTEM)

        added = await oc.challenges.add_clarification(
            ada, challenge.id, note('<script>steal()</script><b onclick="x()">bold</b>')
        )

        assert "script" not in added.body_html
        assert "onclick" not in added.body_html
