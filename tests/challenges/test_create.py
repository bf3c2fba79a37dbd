"""Drafting a challenge and reading it back."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from openchance import Actor, OpenChance, Role
from openchance.accounts.schemas import StatusChange
from openchance.db.types import utcnow
from openchance.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from openchance.models.challenges import Category, ChallengeStatus
from tests.challenges.drafting import (
    challenge_create,
    draft,
    jobs_named,
    opened,
    person,
    set_columns,
)
from tests.factories.users import SYSTEM


class TestCreateChallenge:
    async def test_a_signed_in_user_drafts_a_challenge(self, oc: OpenChance) -> None:
        ada = await person(oc, "ada")

        challenge = await draft(oc, ada)

        assert challenge.status is ChallengeStatus.DRAFT
        assert challenge.owner.id == ada.user_id
        assert challenge.owner.display_name == "Ada"
        assert challenge.category.slug == "data-science-ai"
        assert challenge.category.name == "Data science & AI"
        assert challenge.skills == ["python", "time-series"]
        assert challenge.published_at is None
        assert challenge.can_edit is True

    async def test_the_reward_comes_back_in_minor_units_and_formatted(self, oc: OpenChance) -> None:
        challenge = await draft(oc, await person(oc))

        reward = challenge.reward
        assert (reward.kind, reward.currency) == ("fixed", "EUR")
        assert reward.min.amount_minor == reward.max.amount_minor == 150000
        assert reward.min.amount == "1500.00"
        assert reward.formatted == "1500.00 EUR"

    async def test_a_range_reward_is_formatted_as_a_range(self, oc: OpenChance) -> None:
        challenge = await draft(
            oc,
            await person(oc),
            reward={"kind": "range", "currency": "USD", "min": "1000", "max": "2500.50"},
        )

        assert challenge.reward.formatted == "1000.00 - 2500.50 USD"

    async def test_milestones_are_kept_in_order(self, oc: OpenChance) -> None:
        steps = [
            {"title": "Prototype", "amount": "500.00"},
            {"title": "Pilot", "description": "Two weeks", "amount_minor": 150000},
        ]
        challenge = await draft(
            oc,
            await person(oc),
            reward={"kind": "milestones", "currency": "EUR", "milestones": steps},
        )

        assert [
            (m.position, m.title, m.amount.amount_minor) for m in challenge.reward.milestones
        ] == [
            (1, "Prototype", 50000),
            (2, "Pilot", 150000),
        ]
        assert challenge.reward.min.amount_minor == 200000

    async def test_the_prize_split_defaults_to_equal_shares(self, oc: OpenChance) -> None:
        challenge = await draft(oc, await person(oc), winners=3)

        assert challenge.prize_split == [34, 33, 33]

    async def test_nothing_is_indexed_for_a_draft(self, oc: OpenChance) -> None:
        await draft(oc, await person(oc))

        assert await jobs_named(oc, "search.index_challenge") == []

    async def test_an_unknown_category_is_refused(self, oc: OpenChance) -> None:
        with pytest.raises(InvalidInput) as caught:
            await oc.challenges.create_challenge(
                await person(oc), challenge_create(category="astrology")
            )

        assert caught.value.code == "unknown_category"

    async def test_a_retired_category_takes_no_new_challenge(self, oc: OpenChance) -> None:
        async with oc.unit_of_work() as uow:
            await uow.session.execute(
                update(Category).where(Category.slug == "design").values(retired_at=utcnow())
            )

        with pytest.raises(InvalidInput) as caught:
            await oc.challenges.create_challenge(
                await person(oc), challenge_create(category="design")
            )

        assert caught.value.code == "category_retired"

    async def test_an_anonymous_visitor_cannot_draft(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.challenges.create_challenge(Actor.anonymous(), challenge_create())

    async def test_the_system_operator_owns_no_challenges(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.challenges.create_challenge(SYSTEM, challenge_create())

    async def test_a_suspended_account_cannot_draft(self, oc: OpenChance) -> None:
        ada = await person(oc)
        assert ada.user_id is not None
        await oc.users.suspend(SYSTEM, ada.user_id, StatusChange(reason="spam"))

        with pytest.raises(PermissionDenied) as caught:
            await oc.challenges.create_challenge(ada, challenge_create())

        assert caught.value.code == "account_not_active"


class TestGetChallenge:
    async def test_a_draft_is_seen_by_its_challenger_and_staff_only(self, oc: OpenChance) -> None:
        ada, bob = await person(oc, "ada"), await person(oc, "bob")
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await draft(oc, ada)

        assert (await oc.challenges.get_challenge(ada, challenge.id)).id == challenge.id
        assert (await oc.challenges.get_challenge(moderator, challenge.id)).id == challenge.id
        for outsider in (bob, Actor.anonymous()):
            with pytest.raises(NotFound):
                await oc.challenges.get_challenge(outsider, challenge.id)

    async def test_an_open_challenge_is_seen_by_anyone(self, oc: OpenChance) -> None:
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await opened(oc, await person(oc), moderator)

        seen = await oc.challenges.get_challenge(Actor.anonymous(), challenge.id)

        assert seen.status is ChallengeStatus.OPEN
        assert seen.can_edit is False

    async def test_an_unknown_id_is_not_found(self, oc: OpenChance) -> None:
        with pytest.raises(NotFound):
            await oc.challenges.get_challenge(await person(oc), uuid.uuid4())

    async def test_the_description_is_rendered_and_sanitised(self, oc: OpenChance) -> None:
        source = (
            "# Goal\n\nPlain **bold** text.\n\n<script>alert('x')</script>"
            '<img src=x onerror="alert(1)"><a href="javascript:alert(1)">click</a>'
            "\n\n[site](https://example.org)"
        )
        challenge = await draft(oc, await person(oc), description=source)

        html = challenge.description_html
        assert challenge.description == source
        assert "<h2>Goal</h2>" in html
        assert "<strong>bold</strong>" in html
        assert "script" not in html
        assert "onerror" not in html
        assert "javascript:" not in html
        assert "<img" not in html
        assert 'href="https://example.org"' in html
        assert 'rel="nofollow noopener noreferrer"' in html

    async def test_a_review_note_is_hidden_from_solvers(self, oc: OpenChance) -> None:
        ada, bob = await person(oc, "ada"), await person(oc, "bob")
        moderator = await person(oc, "mod", Role.MODERATOR)
        challenge = await opened(oc, ada, moderator)
        await set_columns(oc, challenge.id, review_note="internal remark")

        assert (await oc.challenges.get_challenge(bob, challenge.id)).review_note is None
        assert (
            await oc.challenges.get_challenge(ada, challenge.id)
        ).review_note == "internal remark"
