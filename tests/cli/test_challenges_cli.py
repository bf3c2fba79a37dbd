"""``openchance challenges …``: the operator reviews, cancels and expires challenges."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import update

from openchance import Actor, OpenChance, Settings
from openchance.challenges.schemas import ChallengeRead
from openchance.db.types import utcnow
from openchance.models.challenges import Challenge
from openchance.moderation.audit import AuditEntryRead, AuditFilter
from tests.challenges.drafting import draft, person
from tests.cli.conftest import Invoke, on_platform

SYSTEM = Actor.system("tests")


def _pending(settings: Settings, title: str = "Forecast bakery demand") -> uuid.UUID:
    async def use(oc: OpenChance) -> uuid.UUID:
        owner = await person(oc)
        challenge = await draft(oc, owner, title=title)
        await oc.challenges.submit_challenge(owner, challenge.id)
        return challenge.id

    return on_platform(settings, use)


def _challenge(settings: Settings, challenge_id: uuid.UUID) -> ChallengeRead:
    async def use(oc: OpenChance) -> ChallengeRead:
        return await oc.challenges.get_challenge(SYSTEM, challenge_id)

    return on_platform(settings, use)


def _audit(settings: Settings, action: str) -> list[AuditEntryRead]:
    async def use(oc: OpenChance) -> list[AuditEntryRead]:
        return await oc.audit.list_entries(SYSTEM, AuditFilter(action=action))

    return on_platform(settings, use)


class TestList:
    def test_the_moderation_queue_lists_pending_challenges_oldest_first(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        first = _pending(settings, "First in the queue")
        second = _pending(settings, "Second in the queue")

        result = invoke("challenges", "list", "--status", "pending_review", "--json")

        assert result.exit_code == 0, result.output
        ids = [item["id"] for item in json.loads(result.stdout)["items"]]
        assert ids == [str(first), str(second)]

    def test_the_table_lists_the_challenges(self, invoke: Invoke, settings: Settings) -> None:
        _pending(settings, "Bread")

        result = invoke("challenges", "list")

        assert result.exit_code == 0, result.output
        assert "Challenges (1)" in result.stdout
        assert "Bread" in result.stdout

    def test_an_unknown_owner_is_not_found(self, invoke: Invoke) -> None:
        result = invoke("challenges", "list", "--owner", "nobody@example.org")

        assert result.exit_code != 0
        assert "nobody@example.org" in result.output


class TestShow:
    def test_json_has_everything(self, invoke: Invoke, settings: Settings) -> None:
        challenge_id = _pending(settings)

        result = invoke("challenges", "show", str(challenge_id), "--json")

        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)
        assert shown["status"] == "pending_review"
        assert shown["reward"]["formatted"] == "1500.00 EUR"

    def test_an_unknown_id_is_not_found(self, invoke: Invoke) -> None:
        result = invoke("challenges", "show", str(uuid.uuid4()))

        assert result.exit_code != 0
        assert "does not exist" in result.output


class TestApprove:
    def test_opens_the_challenge_and_audits(self, invoke: Invoke, settings: Settings) -> None:
        challenge_id = _pending(settings)

        result = invoke("challenges", "approve", str(challenge_id))

        assert result.exit_code == 0, result.output
        assert _challenge(settings, challenge_id).status == "open"
        assert [entry.target_id for entry in _audit(settings, "challenge.approve")] == [
            str(challenge_id)
        ]

    def test_approving_twice_is_a_conflict(self, invoke: Invoke, settings: Settings) -> None:
        challenge_id = _pending(settings)
        invoke("challenges", "approve", str(challenge_id))

        result = invoke("challenges", "approve", str(challenge_id))

        assert result.exit_code != 0
        assert "invalid_transition" in result.output or "cannot" in result.output


class TestReject:
    def test_sends_it_back_with_the_reason(self, invoke: Invoke, settings: Settings) -> None:
        challenge_id = _pending(settings)

        result = invoke(
            "challenges", "reject", str(challenge_id), "--reason", "Say what data you provide."
        )

        assert result.exit_code == 0, result.output
        challenge = _challenge(settings, challenge_id)
        assert challenge.status == "draft"
        assert challenge.review_note == "Say what data you provide."

    def test_an_empty_reason_is_refused(self, invoke: Invoke, settings: Settings) -> None:
        challenge_id = _pending(settings)

        result = invoke("challenges", "reject", str(challenge_id), "--reason", "  ")

        assert result.exit_code != 0
        assert _challenge(settings, challenge_id).status == "pending_review"


class TestCancel:
    def test_staff_cancel_with_a_reason(self, invoke: Invoke, settings: Settings) -> None:
        challenge_id = _pending(settings)

        result = invoke(
            "challenges", "cancel", str(challenge_id), "--reason", "duplicate", "--json"
        )

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["cancel_reason"] == "duplicate"

    def test_other_needs_a_note(self, invoke: Invoke, settings: Settings) -> None:
        challenge_id = _pending(settings)

        result = invoke("challenges", "cancel", str(challenge_id), "--reason", "other")

        assert result.exit_code != 0
        assert _challenge(settings, challenge_id).status == "pending_review"


class TestExpireDue:
    def test_expires_challenges_past_their_deadline(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        challenge_id = _pending(settings)

        async def move_deadline(oc: OpenChance) -> None:
            async with oc.unit_of_work() as uow:
                await uow.session.execute(
                    update(Challenge)
                    .where(Challenge.id == challenge_id)
                    .values(deadline=utcnow() - timedelta(minutes=1))
                )

        on_platform(settings, move_deadline)

        result = invoke("challenges", "expire-due", "--json")

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {"expired": 1}
        assert _challenge(settings, challenge_id).status == "expired"

    def test_nothing_due_expires_nothing(self, invoke: Invoke, settings: Settings) -> None:
        _pending(settings)

        result = invoke("challenges", "expire-due")

        assert result.exit_code == 0, result.output
        assert "Expired 0 challenges." in result.stdout
