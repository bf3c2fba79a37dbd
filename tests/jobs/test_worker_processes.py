"""Real worker processes: crash recovery, and exactly-once under concurrency on PostgreSQL."""

from __future__ import annotations

import signal
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from openchance import OpenChance, Settings
from openchance.models.jobs import Job, JobState
from tests.jobs.handlers import EFFECT, RECORD, Effect, Record
from tests.jobs.workers import worker_processes
from tests.support.jobs import job
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"jobs_lease_seconds": 1.5}


class TestWorkerCrash:
    async def test_a_job_of_a_killed_worker_runs_again_and_its_effect_happens_once(
        self, oc: OpenChance, settings: Settings, tmp_path: Path
    ) -> None:
        async with oc.unit_of_work() as uow:
            job_id = await uow.enqueue(
                EFFECT, Effect(key="payout-42", directory=str(tmp_path), hold_seconds=60)
            )

        with worker_processes(settings) as [doomed]:
            await eventually(lambda: _exists(tmp_path / "payout-42.holding"), timeout=30)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
        assert (await job(oc, job_id)).state is JobState.RUNNING

        with worker_processes(settings):
            done = await eventually(lambda: _succeeded(oc, job_id), timeout=30)

        assert done.attempts == 2
        assert (tmp_path / "payout-42.runs").read_text().split() == ["1", "2"]
        assert (tmp_path / "payout-42.effect").read_text() == "done\n"


class TestGracefulStop:
    async def test_sigterm_releases_the_running_job_for_another_worker(
        self, oc: OpenChance, settings: Settings, tmp_path: Path
    ) -> None:
        async with oc.unit_of_work() as uow:
            job_id = await uow.enqueue(
                EFFECT, Effect(key="report", directory=str(tmp_path), hold_seconds=60)
            )

        with worker_processes(settings, OPENCHANCE_JOBS_SHUTDOWN_TIMEOUT_SECONDS="0.5") as [w]:
            await eventually(lambda: _exists(tmp_path / "report.holding"), timeout=30)
            w.send_signal(signal.SIGTERM)
            assert w.wait(timeout=15) == 0

        released = await job(oc, job_id)
        assert released.state is JobState.PENDING
        assert released.attempts == 0


@pytest.mark.postgres_only
class TestConcurrentWorkers:
    JOBS = 1000

    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        # A long lease: on two busy cores a worker may stall for a second, and a short
        # lease would then (rightly, at least once) hand its job to the other worker.
        return {"jobs_lease_seconds": 30.0}

    async def test_two_worker_processes_run_every_job_exactly_once(
        self, oc: OpenChance, settings: Settings
    ) -> None:
        table = f"job_runs_{uuid.uuid4().hex[:8]}"
        async with oc.unit_of_work() as uow:
            await uow.session.execute(text(f"CREATE TABLE {table} (job_id uuid NOT NULL)"))
        try:
            async with oc.unit_of_work() as uow:
                for _ in range(self.JOBS):
                    await uow.enqueue(RECORD, Record(table=table))

            with worker_processes(settings, 2, concurrency=4):
                await eventually(lambda: _all_succeeded(oc, self.JOBS), timeout=120, interval=0.2)

            async with oc.unit_of_work(read_only=True) as uow:
                runs = (
                    await uow.session.execute(
                        text(f"SELECT count(*), count(DISTINCT job_id) FROM {table}")
                    )
                ).one()
                workers = await uow.session.scalar(select(func.count(func.distinct(Job.locked_by))))
            assert tuple(runs) == (self.JOBS, self.JOBS)
            assert workers == 0  # every lock released
        finally:
            async with oc.unit_of_work() as uow:
                await uow.session.execute(text(f"DROP TABLE {table}"))


async def _exists(path: Path) -> bool:
    return path.exists()


async def _succeeded(oc: OpenChance, job_id: uuid.UUID | None) -> Any:
    current = await job(oc, job_id)
    return current if current.state is JobState.SUCCEEDED else None


async def _all_succeeded(oc: OpenChance, expected: int) -> bool:
    async with oc.unit_of_work(read_only=True) as uow:
        done = await uow.session.scalar(
            select(func.count())
            .select_from(Job)
            # Only this test's jobs: the workers also enqueue the core's scheduled jobs.
            .where(Job.name == RECORD.name, Job.state == JobState.SUCCEEDED)
        )
    return done == expected
