"""The dashboard shows health, job counts and dead jobs, and keeps them fresh."""

from __future__ import annotations

import uuid

from textual.widgets import Label

from openchance import Actor, OpenChance
from openchance.models import JobState
from openchance_tui import OpenChanceConsole
from openchance_tui.screens import UsersScreen
from openchance_tui.widgets import DeadJobsTable
from tests.factories.jobs import create_job
from tests.tui.pilots import MessageLog, label_text, settle, settle_on


class TestHealthPanel:
    async def test_it_shows_the_overall_status_and_each_component(
        self, console: OpenChanceConsole
    ) -> None:
        async with console.run_test() as pilot:
            screen = await settle(pilot)

            # No job worker runs in tests, so the installation is degraded.
            assert label_text(console, "#health-overall").startswith("DEGRADED")
            assert screen.query_one("#health-overall").has_class("status-degraded")
            database = screen.query_one("#health-database")
            assert database.has_class("status-ok")
            assert "answering" in [str(label.content) for label in database.query(Label)]
            assert screen.query_one("#health-workers").has_class("status-degraded")


class TestJobCounts:
    async def test_it_counts_jobs_per_state_and_in_all(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        await create_job(oc)
        await create_job(oc)
        await create_job(oc, state=JobState.DEAD)

        async with console.run_test() as pilot:
            await settle(pilot)

            assert label_text(console, "#count-pending").split() == ["pending", "2"]
            assert label_text(console, "#count-dead").split() == ["dead", "1"]
            assert label_text(console, "#count-running").split() == ["running", "0"]
            assert label_text(console, "#count-total").split() == ["total", "3"]


class TestDeadJobsTable:
    async def test_it_lists_dead_jobs_only(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        await create_job(oc)
        dead = await create_job(
            oc, state=JobState.DEAD, name="mail.send", last_error="SMTP refused\ntraceback…"
        )

        async with console.run_test() as pilot:
            screen = await settle(pilot)

            table = screen.query_one(DeadJobsTable)
            assert table.row_count == 1
            assert table.selected_job_id == dead
            cells = [str(cell) for cell in table.get_row(str(dead))]
            assert cells[0] == dead.hex[:8]
            assert cells[1:3] == ["mail.send", "1/1"]
            assert cells[4] == "SMTP refused"

    async def test_r_reloads_it(self, oc: OpenChance, console: OpenChanceConsole) -> None:
        async with console.run_test() as pilot:
            screen = await settle(pilot)
            assert screen.query_one(DeadJobsTable).row_count == 0

            dead = await create_job(oc, state=JobState.DEAD)
            await pilot.press("r")
            await settle(pilot)

            assert screen.query_one(DeadJobsTable).selected_job_id == dead
            assert label_text(console, "#count-dead").split() == ["dead", "1"]

    async def test_coming_back_from_the_users_screen_reloads_it(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        async with console.run_test() as pilot:
            screen = await settle(pilot)
            await pilot.press("u")
            await settle_on(pilot, UsersScreen)

            dead = await create_job(oc, state=JobState.DEAD)
            await pilot.press("d")
            assert await settle(pilot) is screen

            assert screen.query_one(DeadJobsTable).selected_job_id == dead

    async def test_it_refreshes_on_its_own(self, oc: OpenChance) -> None:
        console = OpenChanceConsole(oc, refresh_seconds=0.1)
        async with console.run_test() as pilot:
            screen = await settle(pilot)
            table = screen.query_one(DeadJobsTable)
            assert table.row_count == 0

            await create_job(oc, state=JobState.DEAD)
            for _ in range(30):
                await pilot.pause(0.05)
                if table.row_count:
                    break

            assert table.row_count == 1


class TestFailures:
    async def test_an_actor_without_the_jobs_role_gets_notices_not_a_crash(
        self, oc: OpenChance, messages: MessageLog
    ) -> None:
        console = OpenChanceConsole(oc, actor=Actor.user(uuid.uuid4()), refresh_seconds=3600)
        async with console.run_test(message_hook=messages) as pilot:
            await settle(pilot)

            assert console.is_running
            notices = messages.notifications("error")
            assert {(n.title, n.message) for n in notices} == {
                ("Permission denied", "only admins may manage jobs")
            }
            assert len(notices) == 2  # the counts and the dead jobs

    async def test_a_lost_database_shows_down_and_unexpected_errors(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        async with console.run_test(message_hook=messages) as pilot:
            await settle(pilot)
            await oc.close()
            await pilot.press("r")
            await settle(pilot)

            assert console.is_running
            assert label_text(console, "#health-overall").startswith("DOWN")
            assert {n.title for n in messages.notifications("error")} == {"Unexpected error"}
