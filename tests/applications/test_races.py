"""Racing requests on PostgreSQL (SQLite runs one writer at a time, so there is no race to
lose there): the locks on the challenge and the application, and the unique index, decide."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import pytest

from openchance import OpenChance
from openchance.errors import Conflict
from openchance.models.applications import ApplicationStatus
from tests.challenges.drafting import person
from tests.factories.applications import (
    application_create,
    application_row,
    apply,
    challenge_row,
    open_challenge,
)

pytestmark = pytest.mark.postgres_only


async def race(*calls: Callable[[], Awaitable[object]]) -> list[str]:
    """Run the calls concurrently; each one's outcome: ``ok`` or the Conflict's code."""
    outcomes: list[str] = []

    async def run(call: Callable[[], Awaitable[object]]) -> None:
        try:
            await call()
        except Conflict as conflict:
            outcomes.append(conflict.code)
        else:
            outcomes.append("ok")

    async with anyio.create_task_group() as group:
        for call in calls:
            group.start_soon(run, call)
    return sorted(outcomes)


class TestConcurrentAcceptance:
    async def test_two_applications_accepted_at_once_on_a_single_winner_challenge(
        self, oc: OpenChance
    ) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)
        first = await apply(oc, await person(oc, "sofia"), challenge.id)
        second = await apply(oc, await person(oc, "satoshi"), challenge.id)

        outcomes = await race(
            lambda: oc.applications.accept_application(owner, first.id),
            lambda: oc.applications.accept_application(owner, second.id),
        )

        assert outcomes == ["invalid_transition", "ok"]
        statuses = {(await application_row(oc, a.id)).status for a in (first, second)}
        assert statuses == {ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED}
        assert (await challenge_row(oc, challenge.id)).status == "in_progress"

    async def test_one_application_accepted_twice_at_once(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        application = await apply(
            oc, await person(oc, "sofia"), (await open_challenge(oc, owner)).id
        )

        outcomes = await race(
            lambda: oc.applications.accept_application(owner, application.id),
            lambda: oc.applications.accept_application(owner, application.id),
        )

        assert outcomes == ["invalid_transition", "ok"]
        history = await oc.applications.application_history(owner, application.id)
        assert [entry.action for entry in history] == ["submit", "accept"]


class TestConcurrentSubmits:
    async def test_two_submits_of_one_solver_leave_one_application(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        sofia = await person(oc, "sofia")

        def submit() -> Awaitable[object]:
            return oc.applications.submit_application(sofia, challenge.id, application_create())

        outcomes = await race(submit, submit)

        assert outcomes == ["already_applied", "ok"]
        page = await oc.applications.list_my_applications(sofia)
        assert len(page.items) == 1
        assert (await challenge_row(oc, challenge.id)).application_count == 1
