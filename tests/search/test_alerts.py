"""Saved-search alerts: a newly opened challenge notifies the users whose saved searches it
matches, once each, and only users who may see it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from openchance import Actor, OpenChance, Role
from openchance.accounts.schemas import StatusChange
from openchance.challenges.invite_schemas import InviteCreate
from openchance.db.types import utcnow
from openchance.jobs.registry import JobRegistry, Schedule
from openchance.models.challenges import ChallengeStatus, Difficulty, Visibility
from openchance.models.jobs import Job
from openchance.models.notifications import Notification
from openchance.models.saved_searches import AlertFrequency, SavedSearch
from openchance.notifications.schemas import NotificationRead
from openchance.search.alerts import (
    DAILY_DIGEST_SCHEDULE,
    DAILY_SAVED_SEARCH_DIGEST,
    MATCH_SAVED_SEARCHES,
    DailySavedSearchDigest,
    MatchSavedSearches,
    schedule_alerts,
)
from openchance.search.query import SearchFilters
from openchance.search.saved_schemas import SavedSearchCreate
from tests.factories.challenges import insert_challenge
from tests.factories.users import SYSTEM, actor_for, create_user
from tests.support.jobs import drain

MATCHED = "challenge.matched_saved_search"


async def _user(oc: OpenChance, role: Role = Role.USER) -> Actor:
    email = f"user-{uuid.uuid4().hex[:8]}@example.org"
    await create_user(oc, email=email, role=role)
    return await actor_for(oc, email)


async def _save(
    oc: OpenChance,
    actor: Actor,
    name: str = "ML",
    frequency: AlertFrequency = AlertFrequency.INSTANT,
    **filters: Any,
) -> uuid.UUID:
    query = SearchFilters.model_validate(filters or {"q": "machine learning"})
    created = await oc.saved_searches.create_saved_search(
        actor, SavedSearchCreate(name=name, query=query, frequency=frequency)
    )
    return created.id


async def _challenge(oc: OpenChance, owner: Actor, **fields: Any) -> uuid.UUID:
    assert owner.user_id is not None
    fields.setdefault("title", "Machine learning for a bakery")
    return await insert_challenge(oc, owner.user_id, **fields)


async def _opened(oc: OpenChance, challenge_id: uuid.UUID) -> None:
    """What the challenge use cases do when a challenge opens, then run the jobs."""
    async with oc.unit_of_work() as uow:
        await schedule_alerts(uow, challenge_id)
    await drain(oc)


async def _alerts(oc: OpenChance, actor: Actor) -> list[NotificationRead]:
    page = await oc.notifications.list_notifications(actor)
    return [item for item in page.items if item.kind == MATCHED]


async def _run_digest(oc: OpenChance) -> None:
    async with oc.unit_of_work() as uow:
        await uow.enqueue(DAILY_SAVED_SEARCH_DIGEST, DailySavedSearchDigest())
    await drain(oc)


async def _set_last_run(oc: OpenChance, saved_search_id: uuid.UUID, days_ago: float) -> None:
    async with oc.unit_of_work() as uow:
        await uow.session.execute(
            update(SavedSearch)
            .where(SavedSearch.id == saved_search_id)
            .values(last_run_at=utcnow() - timedelta(days=days_ago))
        )


@pytest.fixture
async def owner(oc: OpenChance) -> Actor:
    return await _user(oc)


@pytest.fixture
async def solver(oc: OpenChance) -> Actor:
    return await _user(oc)


class TestInstantAlerts:
    async def test_a_matching_search_alerts_its_owner(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        saved_id = await _save(oc, solver, "Bakery ML")
        challenge_id = await _challenge(oc, owner)

        await _opened(oc, challenge_id)

        [alert] = await _alerts(oc, solver)
        assert alert.data == {
            "challenge_id": str(challenge_id),
            "saved_search_id": str(saved_id),
            "saved_search_name": "Bakery ML",
        }
        assert "Machine learning for a bakery" in alert.title
        assert "Bakery ML" in alert.title

    async def test_typos_are_tolerated_as_in_search(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        await _save(oc, solver, q="machine lerning")
        challenge_id = await _challenge(oc, owner)

        await _opened(oc, challenge_id)

        assert len(await _alerts(oc, solver)) == 1

    async def test_never_twice_for_the_same_challenge(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        await _save(oc, solver, "ML")
        await _save(oc, solver, "Bakeries", q="bakery")
        challenge_id = await _challenge(oc, owner)

        await _opened(oc, challenge_id)
        async with oc.unit_of_work() as uow:  # the job runs again (a retry, a second worker)
            await uow.enqueue(MATCH_SAVED_SEARCHES, MatchSavedSearches(challenge_id=challenge_id))
        await drain(oc)

        assert len(await _alerts(oc, solver)) == 1

    async def test_scheduling_twice_enqueues_one_job(self, oc: OpenChance, owner: Actor) -> None:
        challenge_id = await _challenge(oc, owner)

        for _ in range(2):
            async with oc.unit_of_work() as uow:
                await schedule_alerts(uow, challenge_id)

        async with oc.unit_of_work(read_only=True) as uow:
            jobs = await uow.session.scalars(
                select(Job.id).where(Job.name == MATCH_SAVED_SEARCHES.name)
            )
            assert len(list(jobs)) == 1

    async def test_filters_that_do_not_match_alert_nobody(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        await _save(oc, solver, "Design", category=["design"])
        await _save(oc, solver, "Beginners", q="machine learning", difficulty=["beginner"])
        await _save(oc, solver, "Big prizes", reward_min=500_000, currency="EUR")
        await _save(oc, solver, "Dollars", reward_min=1, currency="USD")
        await _save(oc, solver, "Rust", skills=["rust"])
        challenge_id = await _challenge(oc, owner, difficulty=Difficulty.EXPERT)

        await _opened(oc, challenge_id)

        assert await _alerts(oc, solver) == []

    async def test_every_matching_user_is_alerted(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        other = await _user(oc)
        await _save(oc, solver)
        await _save(oc, other, "Data", category=["data-science-ai"], skills=["python"])
        challenge_id = await _challenge(oc, owner)

        await _opened(oc, challenge_id)

        assert len(await _alerts(oc, solver)) == 1
        assert len(await _alerts(oc, other)) == 1

    async def test_the_challenger_is_not_alerted_about_their_own(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        await _save(oc, owner)
        challenge_id = await _challenge(oc, owner)

        await _opened(oc, challenge_id)

        assert await _alerts(oc, owner) == []

    async def test_a_private_challenge_alerts_only_its_invitees(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        stranger = await _user(oc)
        await _save(oc, solver)
        await _save(oc, stranger)
        assert solver.user_id is not None
        challenge_id = await _challenge(
            oc, owner, visibility=Visibility.PRIVATE, invitees=[solver.user_id]
        )

        await _opened(oc, challenge_id)

        assert len(await _alerts(oc, solver)) == 1
        assert await _alerts(oc, stranger) == []

    async def test_staff_see_private_challenges_and_so_are_alerted(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        moderator = await _user(oc, Role.MODERATOR)
        await _save(oc, moderator)
        challenge_id = await _challenge(oc, owner, visibility=Visibility.PRIVATE)

        await _opened(oc, challenge_id)

        assert len(await _alerts(oc, moderator)) == 1

    async def test_daily_searches_are_not_alerted_at_once(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        await _save(oc, solver, frequency=AlertFrequency.DAILY)
        challenge_id = await _challenge(oc, owner)

        await _opened(oc, challenge_id)

        assert await _alerts(oc, solver) == []

    async def test_a_challenge_no_longer_published_alerts_nobody(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        await _save(oc, solver)
        challenge_id = await _challenge(oc, owner, status=ChallengeStatus.DRAFT)

        await _opened(oc, challenge_id)

        assert await _alerts(oc, solver) == []

    async def test_suspended_users_are_not_alerted(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        await _save(oc, solver)
        assert solver.user_id is not None
        await oc.users.suspend(SYSTEM, solver.user_id, StatusChange(reason="spam"))
        challenge_id = await _challenge(oc, owner)

        await _opened(oc, challenge_id)

        async with oc.unit_of_work(read_only=True) as uow:
            rows = await uow.session.scalars(
                select(Notification.id).where(Notification.user_id == solver.user_id)
            )
            assert list(rows) == []


class TestOpeningAChallenge:
    async def test_publishing_through_the_challenge_use_case_alerts(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        moderator = await _user(oc, Role.MODERATOR)
        await _save(oc, solver)
        challenge_id = await _challenge(oc, owner, status=ChallengeStatus.DRAFT)
        await oc.challenges.submit_challenge(owner, challenge_id)
        await drain(oc)
        assert await _alerts(oc, solver) == []

        await oc.challenges.approve_challenge(moderator, challenge_id)
        await drain(oc)

        assert [alert.data["challenge_id"] for alert in await _alerts(oc, solver)] == [
            str(challenge_id)
        ]

    async def test_invitations_to_a_draft_are_announced_when_it_opens(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        moderator = await _user(oc, Role.MODERATOR)
        challenge_id = await _challenge(
            oc, owner, status=ChallengeStatus.DRAFT, visibility=Visibility.PRIVATE
        )
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))
        await oc.challenges.submit_challenge(owner, challenge_id)
        await oc.challenges.approve_challenge(moderator, challenge_id)

        await drain(oc)

        page = await oc.notifications.list_notifications(solver)
        assert [item.kind for item in page.items] == ["challenge.invited"]


class TestDailyDigest:
    async def test_alerts_the_challenges_published_since_the_last_run(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        saved_id = await _save(oc, solver, frequency=AlertFrequency.DAILY)
        await _set_last_run(oc, saved_id, days_ago=1)
        old = await _challenge(oc, owner, published_at=utcnow() - timedelta(days=3))
        new = await _challenge(oc, owner, published_at=utcnow() - timedelta(hours=2))
        before = utcnow()

        await _run_digest(oc)

        assert [alert.data["challenge_id"] for alert in await _alerts(oc, solver)] == [str(new)]
        assert str(old) not in str(await _alerts(oc, solver))
        [listed] = await oc.saved_searches.list_saved_searches(solver)
        assert listed.last_run_at is not None
        assert listed.last_run_at >= before

    async def test_the_next_run_picks_only_newer_challenges(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        await _save(oc, solver, frequency=AlertFrequency.DAILY)
        first = await _challenge(oc, owner)
        await _run_digest(oc)

        second = await _challenge(oc, owner, title="Machine learning for a brewery")
        await _run_digest(oc)

        alerted = [alert.data["challenge_id"] for alert in await _alerts(oc, solver)]
        assert alerted == [str(second), str(first)]

    async def test_a_challenge_already_alerted_at_once_is_not_alerted_again(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        await _save(oc, solver, "instant")
        await _save(oc, solver, "daily", frequency=AlertFrequency.DAILY)
        challenge_id = await _challenge(oc, owner)
        await _opened(oc, challenge_id)

        await _run_digest(oc)

        assert len(await _alerts(oc, solver)) == 1

    async def test_non_matching_and_own_challenges_are_skipped(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        await _save(oc, owner, frequency=AlertFrequency.DAILY)
        other = await _user(oc)
        await _save(oc, other, "Design", frequency=AlertFrequency.DAILY, category=["design"])
        await _challenge(oc, owner)

        await _run_digest(oc)

        assert await _alerts(oc, owner) == []
        assert await _alerts(oc, other) == []

    async def test_a_private_challenge_reaches_only_invitees(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        stranger = await _user(oc)
        await _save(oc, solver, frequency=AlertFrequency.DAILY)
        await _save(oc, stranger, frequency=AlertFrequency.DAILY)
        assert solver.user_id is not None
        await _challenge(oc, owner, visibility=Visibility.PRIVATE, invitees=[solver.user_id])

        await _run_digest(oc)

        assert len(await _alerts(oc, solver)) == 1
        assert await _alerts(oc, stranger) == []

    def test_runs_once_a_day(self) -> None:
        assert isinstance(DAILY_DIGEST_SCHEDULE, Schedule)
        assert DAILY_DIGEST_SCHEDULE.cron == "0 7 * * *"
        assert DAILY_DIGEST_SCHEDULE.job_type is DAILY_SAVED_SEARCH_DIGEST

    def test_is_registered_with_the_core(self, registry: JobRegistry) -> None:
        assert registry.get(DAILY_SAVED_SEARCH_DIGEST.name) is not None
        assert registry.get(MATCH_SAVED_SEARCHES.name) is not None
        assert DAILY_DIGEST_SCHEDULE in registry.schedules
