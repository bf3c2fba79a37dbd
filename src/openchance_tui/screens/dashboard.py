"""The first screen: health, job counts and dead jobs, with retry and cancel."""

from __future__ import annotations

import uuid

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState

from openchance import Actor, OpenChance, OpenChanceError
from openchance.jobs.schemas import JobFilter
from openchance.models.jobs import JobState
from openchance_tui.formatting import short_id
from openchance_tui.messages import (
    DeadJobsLoaded,
    HealthChecked,
    JobAction,
    JobActionRefused,
    JobCancelled,
    JobCountsLoaded,
    JobRetried,
)
from openchance_tui.notices import show_error
from openchance_tui.widgets import DeadJobsTable, HealthPanel, JobCountsPanel

DEAD_JOBS_SHOWN = 200


class DashboardScreen(Screen[None]):
    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("t", "retry_job", "Retry job"),
        Binding("c", "cancel_job", "Cancel job"),
    ]

    def __init__(self, oc: OpenChance, actor: Actor, *, refresh_seconds: float) -> None:
        super().__init__()
        self._oc = oc
        self._actor = actor
        self._refresh_seconds = refresh_seconds
        self._refresh_timer: Timer | None = None
        self._hidden = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="summary"):
            yield HealthPanel(id="health")
            yield JobCountsPanel(id="job-counts")
        yield DeadJobsTable(id="dead-jobs")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DeadJobsTable).focus()
        self.action_reload()
        self._refresh_timer = self.set_interval(self._refresh_seconds, self.action_reload)

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        # Another screen is showing: no refreshes (nor their notices) behind its back.
        self._hidden = True
        if self._refresh_timer is not None:
            self._refresh_timer.pause()

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        if self._hidden:
            self._hidden = False
            if self._refresh_timer is not None:
                self._refresh_timer.resume()
            self.action_reload()

    # -- actions -------------------------------------------------------------------------

    def action_reload(self) -> None:
        if self._idle("health"):
            self.check_health()
        self.reload_jobs()

    def reload_jobs(self) -> None:
        if self._idle("job-counts"):
            self.load_job_counts()
        if self._idle("dead-jobs"):
            self.load_dead_jobs()

    def _idle(self, group: str) -> bool:
        """A load still under way is left to finish, not cancelled in the middle of a
        database call (which can leave an SQLite connection holding its lock)."""
        return not any(
            worker.group == group and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for worker in self.workers
        )

    def action_retry_job(self) -> None:
        job_id = self._selected_job_id()
        if job_id is not None:
            self.retry_job(job_id)

    def action_cancel_job(self) -> None:
        job_id = self._selected_job_id()
        if job_id is not None:
            self.cancel_job(job_id)

    def _selected_job_id(self) -> uuid.UUID | None:
        job_id = self.query_one(DeadJobsTable).selected_job_id
        if job_id is None:
            self.notify("There is no dead job to act on.", severity="warning")
        return job_id

    # -- workers: call the core, post what happened ---------------------------------------
    # Failures other than domain errors surface in on_worker_state_changed (exit_on_error
    # is off: a database hiccup must not close the console).

    @work(group="health", exit_on_error=False)
    async def check_health(self) -> None:
        self.post_message(HealthChecked(await self._oc.health.check()))

    @work(group="job-counts", exit_on_error=False)
    async def load_job_counts(self) -> None:
        self.post_message(JobCountsLoaded(await self._oc.jobs.count_jobs(self._actor)))

    @work(group="dead-jobs", exit_on_error=False)
    async def load_dead_jobs(self) -> None:
        query = JobFilter(state=JobState.DEAD, limit=DEAD_JOBS_SHOWN)
        self.post_message(DeadJobsLoaded(await self._oc.jobs.list_jobs(self._actor, query)))

    @work(group="job-actions", exit_on_error=False)
    async def retry_job(self, job_id: uuid.UUID) -> None:
        try:
            job = await self._oc.jobs.retry_job(self._actor, job_id)
        except OpenChanceError as error:
            self.post_message(JobActionRefused(JobAction.RETRY, job_id, error))
        else:
            self.post_message(JobRetried(job))

    @work(group="job-actions", exit_on_error=False)
    async def cancel_job(self, job_id: uuid.UUID) -> None:
        try:
            job = await self._oc.jobs.cancel_job(self._actor, job_id)
        except OpenChanceError as error:
            self.post_message(JobActionRefused(JobAction.CANCEL, job_id, error))
        else:
            self.post_message(JobCancelled(job))

    # -- what the workers report ----------------------------------------------------------

    def on_health_checked(self, message: HealthChecked) -> None:
        self.query_one(HealthPanel).report = message.report

    def on_job_counts_loaded(self, message: JobCountsLoaded) -> None:
        self.query_one(JobCountsPanel).counts = message.counts

    def on_dead_jobs_loaded(self, message: DeadJobsLoaded) -> None:
        self.query_one(DeadJobsTable).show_jobs(message.jobs)

    def on_job_retried(self, message: JobRetried) -> None:
        self.notify(f"Job {short_id(message.job.id)} is pending again.", title="Job retried")
        self.reload_jobs()

    def on_job_cancelled(self, message: JobCancelled) -> None:
        self.notify(f"Job {short_id(message.job.id)} is cancelled.", title="Job cancelled")
        self.reload_jobs()

    def on_job_action_refused(self, message: JobActionRefused) -> None:
        show_error(self, message.error)
        # The job changed under us: show what it is now.
        self.reload_jobs()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            show_error(self, event.worker.error)
