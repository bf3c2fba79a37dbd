"""Retry and cancel the selected dead job; a refusal is a notice, never a crash."""

from __future__ import annotations

from openchance import Actor, OpenChance
from openchance.models import JobState
from openchance_tui import OpenChanceConsole
from openchance_tui.messages import JobAction, JobActionRefused, JobCancelled, JobRetried
from openchance_tui.widgets import DeadJobsTable
from tests.factories.jobs import create_job
from tests.tui.pilots import MessageLog, label_text, settle


class TestRetryJob:
    async def test_t_makes_the_selected_job_pending(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        dead = await create_job(oc, state=JobState.DEAD)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await settle(pilot)
            await pilot.press("t")
            await settle(pilot)

            job = await oc.jobs.get_job(Actor.system(), dead)
            assert job.state is JobState.PENDING
            assert [message.job.id for message in messages.of_type(JobRetried)] == [dead]
            assert [n.title for n in messages.notifications("information")] == ["Job retried"]
            assert screen.query_one(DeadJobsTable).row_count == 0
            assert label_text(console, "#count-pending").split() == ["pending", "1"]

    async def test_a_job_retried_meanwhile_is_refused_with_an_error_notice(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        dead = await create_job(oc, state=JobState.DEAD)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await settle(pilot)
            await oc.jobs.retry_job(Actor.system(), dead)
            await pilot.press("t")
            await settle(pilot)

            assert console.is_running
            [refused] = messages.of_type(JobActionRefused)
            assert (refused.action, refused.job_id) == (JobAction.RETRY, dead)
            [notice] = messages.notifications("error")
            assert notice.title == "Conflict"
            assert "only dead or cancelled jobs can be retried" in notice.message
            assert screen.query_one(DeadJobsTable).row_count == 0

    async def test_with_no_dead_job_there_is_nothing_to_retry(
        self, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        async with console.run_test(message_hook=messages) as pilot:
            await settle(pilot)
            await pilot.press("t")
            await settle(pilot)

            assert messages.of_type(JobRetried) == []
            assert [n.message for n in messages.notifications("warning")] == [
                "There is no dead job to act on."
            ]


class TestCancelJob:
    async def test_c_cancels_the_selected_job(
        self, oc: OpenChance, console: OpenChanceConsole, messages: MessageLog
    ) -> None:
        await create_job(oc, state=JobState.DEAD)
        second = await create_job(oc, state=JobState.DEAD)

        async with console.run_test(message_hook=messages) as pilot:
            screen = await settle(pilot)
            table = screen.query_one(DeadJobsTable)
            table.move_cursor(row=table.get_row_index(str(second)))
            await pilot.press("c")
            await settle(pilot)

            job = await oc.jobs.get_job(Actor.system(), second)
            assert job.state is JobState.CANCELLED
            assert [message.job.id for message in messages.of_type(JobCancelled)] == [second]
            assert table.row_count == 1
            assert table.selected_job_id != second
