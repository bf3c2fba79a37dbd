"""The demo marketplace's challenges: a catalogue that covers everything the marketplace
shows, and a seed step that stores it through the use cases, once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import ColumnElement, func, select

from openchance import Actor, OpenChance, Role
from openchance.accounts.demo import demo_email
from openchance.accounts.profile_schemas import normalise_skills
from openchance.challenges.demo import challenge_input, seed_demo_challenges
from openchance.challenges.demo_data import DEMO_CHALLENGES
from openchance.challenges.schemas import ChallengeFilter
from openchance.challenges.seed import SEEDED_CATEGORIES
from openchance.db.types import utcnow
from openchance.demo import prepare_demo
from openchance.errors import ConfigurationError
from openchance.models.accounts import User
from openchance.models.challenges import (
    Category,
    Challenge,
    ChallengeClarification,
    ChallengeInvite,
    ChallengeMilestone,
    ChallengeStatus,
    Difficulty,
    InviteStatus,
    RewardKind,
    Visibility,
)
from openchance.models.jobs import Job
from openchance.search.query import SearchQuery
from openchance.search.sync import INDEX_CHALLENGE

UNPUBLISHED = {ChallengeStatus.DRAFT, ChallengeStatus.PENDING_REVIEW}


class TestDemoCatalogue:
    def test_holds_at_least_sixty_challenges_with_distinct_titles(self) -> None:
        titles = [entry.title for entry in DEMO_CHALLENGES]

        assert len(titles) >= 60
        assert len(set(titles)) == len(titles)

    def test_covers_every_seeded_category(self) -> None:
        assert {entry.category for entry in DEMO_CHALLENGES} == {
            category.slug for category in SEEDED_CATEGORIES
        }

    def test_covers_every_state_with_open_the_most_common(self) -> None:
        states = Counter(entry.status for entry in DEMO_CHALLENGES)

        assert set(states) == set(ChallengeStatus)
        assert states.most_common(1)[0][0] is ChallengeStatus.OPEN

    def test_covers_every_difficulty_and_reward_kind(self) -> None:
        assert {entry.difficulty for entry in DEMO_CHALLENGES} == set(Difficulty)
        assert {entry.reward.kind for entry in DEMO_CHALLENGES} == set(RewardKind)

    def test_uses_several_currencies(self) -> None:
        currencies = {entry.reward.currency for entry in DEMO_CHALLENGES}

        assert {"EUR", "USD", "GBP", "JPY"} <= currencies

    def test_milestone_rewards_have_two_to_four_milestones_that_add_up(self) -> None:
        for entry in DEMO_CHALLENGES:
            if entry.reward.kind is RewardKind.MILESTONES:
                steps = entry.reward.milestones
                assert 2 <= len(steps) <= 4, entry.title
                assert sum(step.amount_minor for step in steps) == entry.reward.min_minor

    def test_every_entry_is_a_challenge_the_use_cases_accept(self) -> None:
        now = utcnow()
        for entry in DEMO_CHALLENGES:
            created = challenge_input(entry, now=now)

            assert created.skills == list(entry.skills), entry.title  # already normalised
            assert created.deadline > now

    def test_skills_are_lower_case_hyphenated_tags(self) -> None:
        for entry in DEMO_CHALLENGES:
            assert entry.skills, entry.title
            assert normalise_skills(list(entry.skills)) == list(entry.skills), entry.title

    def test_some_are_private_and_invite_demo_solvers(self) -> None:
        private = [entry for entry in DEMO_CHALLENGES if entry.visibility is Visibility.PRIVATE]

        assert len(private) >= 3
        for entry in private:
            assert entry.invitees, entry.title
            assert set(entry.invitees) <= {"solver", "solver2"}
            assert entry.status not in UNPUBLISHED

    def test_only_private_challenges_have_invitees(self) -> None:
        for entry in DEMO_CHALLENGES:
            if entry.visibility is Visibility.PUBLIC:
                assert not entry.invitees, entry.title

    def test_cancelled_ones_and_only_they_carry_a_reason(self) -> None:
        for entry in DEMO_CHALLENGES:
            cancelled = entry.status is ChallengeStatus.CANCELLED
            assert (entry.cancellation is not None) == cancelled, entry.title

    def test_at_least_three_are_about_machine_learning(self) -> None:
        titles = [entry.title for entry in DEMO_CHALLENGES]

        assert sum(title.startswith("Machine learning model for") for title in titles) >= 3

    def test_only_expired_ones_have_a_deadline_in_the_past(self) -> None:
        for entry in DEMO_CHALLENGES:
            expired = entry.status is ChallengeStatus.EXPIRED
            assert (entry.deadline_in < timedelta(0)) == expired, entry.title
            assert entry.posted_ago > -entry.deadline_in, entry.title

    def test_a_few_open_ones_expire_minutes_after_seeding(self) -> None:
        soon = [
            entry
            for entry in DEMO_CHALLENGES
            if entry.status is ChallengeStatus.OPEN
            and timedelta(0) < entry.deadline_in <= timedelta(minutes=10)
        ]

        assert len(soon) >= 2


async def _count(oc: OpenChance, *conditions: ColumnElement[bool]) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        statement = select(func.count()).select_from(Challenge).where(*conditions)
        return await uow.session.scalar(statement) or 0


async def _actor(oc: OpenChance, local_part: str, *roles: Role) -> Actor:
    async with oc.unit_of_work(read_only=True) as uow:
        user_id = await uow.session.scalar(
            select(User.id).where(User.email == demo_email(local_part))
        )
    assert user_id is not None
    return Actor.user(user_id, set(roles))


class TestSeedDemoChallenges:
    """The ``seeded_demo`` tests read a copy of the demo seeded once per session; the
    others seed on their own: idempotence, and dates that must be fresh from the seeding."""

    async def test_a_second_start_adds_nothing(self, oc: OpenChance) -> None:
        first = await prepare_demo(oc)

        again = await prepare_demo(oc)

        total = len(DEMO_CHALLENGES)
        assert await _count(oc) == total
        assert f"{total} challenges ({total} new)" in first.steps
        assert f"{total} challenges (0 new)" in again.steps

    @pytest.mark.seeded_demo
    async def test_stores_the_catalogue_in_every_state_category_and_reward_kind(
        self, oc: OpenChance
    ) -> None:

        async with oc.unit_of_work(read_only=True) as uow:
            rows = await uow.session.execute(
                select(
                    Challenge.title,
                    Challenge.status,
                    Category.slug,
                    Challenge.reward_kind,
                    Challenge.visibility,
                    User.email,
                )
                .join(Category, Category.id == Challenge.category_id)
                .join(User, User.id == Challenge.owner_id)
            )
            stored = {title: tuple(rest) for title, *rest in rows.all()}
        assert stored == {
            entry.title: (
                entry.status,
                entry.category,
                entry.reward.kind,
                entry.visibility,
                demo_email(entry.owner),
            )
            for entry in DEMO_CHALLENGES
        }

    @pytest.mark.seeded_demo
    async def test_stores_milestones_clarifications_and_cancellation_reasons(
        self, oc: OpenChance
    ) -> None:

        async with oc.unit_of_work(read_only=True) as uow:
            milestones = await uow.session.scalar(
                select(func.count()).select_from(ChallengeMilestone)
            )
            clarifications = await uow.session.scalar(
                select(func.count()).select_from(ChallengeClarification)
            )
            cancelled = (
                await uow.session.execute(
                    select(Challenge.title, Challenge.cancel_reason, Challenge.cancel_note).where(
                        Challenge.status == ChallengeStatus.CANCELLED
                    )
                )
            ).all()
        assert milestones == sum(len(entry.reward.milestones) for entry in DEMO_CHALLENGES)
        assert clarifications == sum(len(entry.clarifications) for entry in DEMO_CHALLENGES)
        assert {title: (reason, note) for title, reason, note in cancelled} == {
            entry.title: (entry.cancellation.reason, entry.cancellation.note)
            for entry in DEMO_CHALLENGES
            if entry.cancellation is not None
        }

    @pytest.mark.seeded_demo
    async def test_private_challenges_hold_pending_invitations_for_demo_solvers(
        self, oc: OpenChance
    ) -> None:

        async with oc.unit_of_work(read_only=True) as uow:
            invites = (
                await uow.session.execute(
                    select(Challenge.title, ChallengeInvite.status, User.email)
                    .join(Challenge, Challenge.id == ChallengeInvite.challenge_id)
                    .join(User, User.id == ChallengeInvite.user_id)
                )
            ).all()
        assert sorted(invites) == sorted(
            (entry.title, InviteStatus.PENDING, demo_email(invitee))
            for entry in DEMO_CHALLENGES
            for invitee in entry.invitees
        )

    @pytest.mark.seeded_demo
    async def test_the_moderation_queue_has_work_and_a_draft_was_sent_back(
        self, oc: OpenChance
    ) -> None:
        moderator = await _actor(oc, "moderator", Role.MODERATOR)

        queue = await oc.challenges.list_challenges(
            moderator, ChallengeFilter(status=ChallengeStatus.PENDING_REVIEW, limit=100)
        )
        async with oc.unit_of_work(read_only=True) as uow:
            notes = set(
                await uow.session.scalars(
                    select(Challenge.review_note).where(Challenge.status == ChallengeStatus.DRAFT)
                )
            )

        assert {item.title for item in queue.items} == {
            entry.title
            for entry in DEMO_CHALLENGES
            if entry.status is ChallengeStatus.PENDING_REVIEW
        }
        assert {entry.review_note for entry in DEMO_CHALLENGES if entry.review_note} <= notes

    async def test_dates_count_from_the_seeding(self, oc: OpenChance) -> None:
        await prepare_demo(oc)

        now = utcnow()
        async with oc.unit_of_work(read_only=True) as uow:
            rows = (
                await uow.session.execute(
                    select(Challenge.status, Challenge.deadline, Challenge.published_at)
                )
            ).all()
        for status, deadline, _ in rows:
            assert (deadline < now) == (status is ChallengeStatus.EXPIRED)
        published = [moment for _, _, moment in rows if moment is not None]
        assert min(published) < now - timedelta(days=14)  # spread over the past weeks
        soon = [deadline for _, deadline, _ in rows if now < deadline < now + timedelta(minutes=10)]
        assert len(soon) >= 2  # expire on their own while someone watches

    @pytest.mark.seeded_demo
    async def test_every_published_challenge_is_queued_for_the_search_index(
        self, oc: OpenChance
    ) -> None:

        async with oc.unit_of_work(read_only=True) as uow:
            published = set(
                await uow.session.scalars(
                    select(Challenge.id).where(Challenge.status.not_in(UNPUBLISHED))
                )
            )
            payloads = await uow.session.scalars(
                select(Job.payload).where(Job.name == INDEX_CHALLENGE.name)
            )
            indexed = {payload["challenge_id"] for payload in payloads}
        assert published
        assert {str(challenge_id) for challenge_id in published} <= indexed


class TestSearchingTheDemo:
    """The index is rebuilt in one go here: running the seeding's index jobs one by one
    takes a minute on a busy PostgreSQL, and that they are queued is tested above."""

    @pytest.mark.seeded_demo
    async def test_a_solver_finds_machine_learning_challenges_despite_a_typo(
        self, oc: OpenChance
    ) -> None:
        await oc.search.reindex()

        results = await oc.search.search(
            await _actor(oc, "solver2"), SearchQuery(q="machine lerning", limit=50)
        )

        titles = {hit.title for hit in results.items}
        assert sum(title.startswith("Machine learning model for") for title in titles) >= 3
        assert results.facets.category

    @pytest.mark.seeded_demo
    async def test_private_challenges_are_found_only_by_their_invitees(
        self, oc: OpenChance
    ) -> None:
        await oc.search.reindex()
        query = SearchQuery(q="hairline cracks ceramic tiles")

        invited = await oc.search.search(await _actor(oc, "solver"), query)
        other = await oc.search.search(await _actor(oc, "solver2"), query)

        title = "Machine learning model for detecting hairline cracks in ceramic tiles"
        assert title in {hit.title for hit in invited.items}
        assert title not in {hit.title for hit in other.items}


class TestSeedingWithoutAccounts:
    async def test_is_refused_with_a_clear_error(self, oc: OpenChance) -> None:
        with pytest.raises(ConfigurationError) as raised:
            await seed_demo_challenges(oc)

        assert raised.value.code == "demo_accounts_missing"
        assert await _count(oc) == 0


class TestSeedingWithReviewOff:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"challenge_review_required": False}

    async def test_challenges_meant_for_review_open_at_once(self, oc: OpenChance) -> None:
        await prepare_demo(oc)

        for_review = [
            entry.title
            for entry in DEMO_CHALLENGES
            if entry.status is ChallengeStatus.PENDING_REVIEW
        ]
        assert await _count(oc, Challenge.status == ChallengeStatus.PENDING_REVIEW) == 0
        assert await _count(
            oc, Challenge.title.in_(for_review), Challenge.status == ChallengeStatus.OPEN
        ) == len(for_review)
        assert await _count(oc, Challenge.review_note.is_not(None)) == 0
