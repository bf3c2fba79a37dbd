"""Challenges expire at their deadline: by the job enqueued when they open, or by the
sweep; exactly once, however many workers or calls race for it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import anyio
import pytest

from openchance import OpenChance, Settings
from openchance.challenges.expiry import (
    EXPIRE_CHALLENGE,
    EXPIRE_DUE,
    ExpireChallenge,
    ExpireDue,
    expire_if_due,
)
from openchance.challenges.schemas import ChallengeEdit, ChallengeRead
from openchance.db.types import utcnow
from openchance.errors import PermissionDenied
from openchance.jobs import JobRegistry
from openchance.models.challenges import ChallengeStatus
from openchance.search.sync import INDEX_CHALLENGE
from tests.challenges.drafting import (
    draft,
    events_named,
    jobs_named,
    notifications_of,
    opened,
    person,
    row,
    set_columns,
)
from tests.factories.users import SYSTEM
from tests.support.jobs import drain, running_worker

PAST = timedelta(minutes=-5)


async def due_challenge(
    oc: OpenChance, *, status: ChallengeStatus = ChallengeStatus.OPEN
) -> ChallengeRead:
    """An open challenge whose deadline has just passed."""
    challenge = await opened(oc, await person(oc), SYSTEM)
    await set_columns(oc, challenge.id, deadline=utcnow() + PAST, status=status)
    return challenge


async def status_of(oc: OpenChance, challenge_id: uuid.UUID) -> ChallengeStatus:
    found = await row(oc, challenge_id)
    assert found is not None
    return found.status


async def due_jobs_left(oc: OpenChance) -> bool:
    jobs = [
        job
        for name in (EXPIRE_CHALLENGE.name, EXPIRE_DUE.name)
        for job in await jobs_named(oc, name)
    ]
    return any(job.state.value in ("pending", "running") and job.run_at <= utcnow() for job in jobs)


class TestExpiryJob:
    async def test_an_open_challenge_expires_on_its_own_at_its_deadline(
        self, oc: OpenChance
    ) -> None:
        ada = await person(oc)
        deadline = utcnow() + timedelta(seconds=2)
        challenge = await opened(oc, ada, SYSTEM, deadline=deadline.isoformat())

        await anyio.sleep((deadline - utcnow()).total_seconds() + 0.1)
        await drain(oc)

        assert await status_of(oc, challenge.id) is ChallengeStatus.EXPIRED
        assert len(await events_named(oc, "challenge.expired")) == 1

    async def test_a_deadline_moved_later_does_not_expire_it_early(self, oc: OpenChance) -> None:
        ada = await person(oc)
        deadline = utcnow() + timedelta(seconds=2)
        challenge = await opened(oc, ada, SYSTEM, deadline=deadline.isoformat())
        later = utcnow() + timedelta(days=3)
        await oc.challenges.update_challenge(
            ada, challenge.id, ChallengeEdit.model_validate({"deadline": later.isoformat()})
        )

        await anyio.sleep((deadline - utcnow()).total_seconds() + 0.1)
        await drain(oc)  # the job for the first deadline runs and finds nothing due

        assert await status_of(oc, challenge.id) is ChallengeStatus.OPEN
        pending = [
            job for job in await jobs_named(oc, EXPIRE_CHALLENGE.name) if job.run_at > utcnow()
        ]
        assert [job.run_at for job in pending] == [later]

    async def test_the_expiry_tells_the_challenger_and_reindexes(self, oc: OpenChance) -> None:
        challenge = await due_challenge(oc)
        indexed = len(await jobs_named(oc, INDEX_CHALLENGE.name))

        async with oc.unit_of_work() as uow:
            assert await expire_if_due(uow, challenge.id) is True

        assert len(await jobs_named(oc, INDEX_CHALLENGE.name)) == indexed + 1
        kinds = [n.kind for n in await notifications_of(oc, challenge.owner.id)]
        assert kinds.count("challenge.expired") == 1

    async def test_a_challenge_in_review_past_its_deadline_expires(self, oc: OpenChance) -> None:
        ada = await person(oc)
        challenge = await draft(oc, ada)
        await oc.challenges.submit_challenge(ada, challenge.id)
        await set_columns(oc, challenge.id, deadline=utcnow() + PAST)

        async with oc.unit_of_work() as uow:
            assert await expire_if_due(uow, challenge.id) is True

        assert await status_of(oc, challenge.id) is ChallengeStatus.EXPIRED

    async def test_running_the_job_twice_expires_once(self, oc: OpenChance) -> None:
        challenge = await due_challenge(oc)

        for _ in range(2):
            async with oc.unit_of_work() as uow:
                await uow.enqueue(EXPIRE_CHALLENGE, ExpireChallenge(challenge_id=challenge.id))
        await drain(oc)

        assert [e["challenge_id"] for e in await events_named(oc, "challenge.expired")] == [
            str(challenge.id)
        ]

    @pytest.mark.parametrize(
        "status",
        [ChallengeStatus.IN_PROGRESS, ChallengeStatus.COMPLETED, ChallengeStatus.CANCELLED],
    )
    async def test_work_under_way_or_finished_does_not_expire(
        self, oc: OpenChance, status: ChallengeStatus
    ) -> None:
        challenge = await due_challenge(oc, status=status)

        async with oc.unit_of_work() as uow:
            assert await expire_if_due(uow, challenge.id) is False

        assert await status_of(oc, challenge.id) is status

    async def test_a_challenge_deleted_meanwhile_is_no_error(self, oc: OpenChance) -> None:
        async with oc.unit_of_work() as uow:
            await uow.enqueue(EXPIRE_CHALLENGE, ExpireChallenge(challenge_id=uuid.uuid4()))

        await drain(oc)


class TestExpireDue:
    async def test_every_due_challenge_expires_and_nothing_else(self, oc: OpenChance) -> None:
        due = [await due_challenge(oc) for _ in range(3)]
        not_due = await opened(oc, await person(oc), SYSTEM)
        working = await due_challenge(oc, status=ChallengeStatus.IN_PROGRESS)

        expired = await oc.challenges.expire_due(SYSTEM)

        assert expired == 3
        for challenge in due:
            assert await status_of(oc, challenge.id) is ChallengeStatus.EXPIRED
        assert await status_of(oc, not_due.id) is ChallengeStatus.OPEN
        assert await status_of(oc, working.id) is ChallengeStatus.IN_PROGRESS
        assert await oc.challenges.expire_due(SYSTEM) == 0

    async def test_only_staff_sweep(self, oc: OpenChance) -> None:
        with pytest.raises(PermissionDenied):
            await oc.challenges.expire_due(await person(oc))

    async def test_the_sweep_runs_as_a_job(self, oc: OpenChance) -> None:
        challenge = await due_challenge(oc)
        async with oc.unit_of_work() as uow:
            await uow.enqueue(EXPIRE_DUE, ExpireDue())

        await drain(oc)

        assert await status_of(oc, challenge.id) is ChallengeStatus.EXPIRED

    def test_the_sweep_is_scheduled_every_minute(self, registry: JobRegistry) -> None:
        (schedule,) = [s for s in registry.schedules if s.job_type is EXPIRE_DUE]

        assert schedule.every == timedelta(minutes=1)

    async def test_concurrent_sweeps_expire_each_challenge_once(self, oc: OpenChance) -> None:
        due = [await due_challenge(oc) for _ in range(6)]
        counts: list[int] = []

        async def sweep() -> None:
            counts.append(await oc.challenges.expire_due(SYSTEM))

        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(sweep)

        assert sum(counts) == len(due)
        events = [e["challenge_id"] for e in await events_named(oc, "challenge.expired")]
        assert sorted(events) == sorted(str(c.id) for c in due)


@pytest.mark.postgres_only
class TestExactlyOnceAcrossWorkers:
    async def test_two_calls_racing_on_one_challenge_expire_it_once(self, oc: OpenChance) -> None:
        challenge = await due_challenge(oc)
        results: list[bool] = []
        both_inside = anyio.Event()
        inside = 0

        async def expire() -> None:
            nonlocal inside
            async with oc.unit_of_work() as uow:
                inside += 1
                if inside == 2:
                    both_inside.set()
                await both_inside.wait()  # both transactions open before either updates
                results.append(await expire_if_due(uow, challenge.id))

        async with anyio.create_task_group() as group:
            group.start_soon(expire)
            group.start_soon(expire)

        assert sorted(results) == [False, True]
        assert len(await events_named(oc, "challenge.expired")) == 1

    async def test_two_workers_with_duplicate_jobs_expire_each_challenge_once(
        self, oc: OpenChance, settings: Settings, registry: JobRegistry
    ) -> None:
        due = [await due_challenge(oc) for _ in range(8)]
        async with oc.unit_of_work() as uow:
            for challenge in due:
                for _ in range(3):
                    await uow.enqueue(EXPIRE_CHALLENGE, ExpireChallenge(challenge_id=challenge.id))
            await uow.enqueue(EXPIRE_DUE, ExpireDue())

        async with (
            OpenChance(settings, registry=registry) as first,
            OpenChance(settings, registry=registry) as second,
            running_worker(first, concurrency=3, run_schedules=False),
            running_worker(second, concurrency=3, run_schedules=False),
        ):
            with anyio.fail_after(20):
                while await due_jobs_left(oc):
                    await anyio.sleep(0.05)

        events = [e["challenge_id"] for e in await events_named(oc, "challenge.expired")]
        assert sorted(events) == sorted(str(c.id) for c in due)
        for challenge in due:
            assert await status_of(oc, challenge.id) is ChallengeStatus.EXPIRED
