"""Periodic schedules enqueue one job per period, however many workers are running."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anyio
import pytest
from pydantic import BaseModel
from sqlalchemy import select

from openchance import OpenChance, Settings
from openchance.jobs import JobContext, JobRegistry, JobType, Schedule
from openchance.models.jobs import Job
from tests.support.jobs import running_worker


class Tick(BaseModel):
    pass


TICK = JobType("test.tick", Tick)


class TestPeriods:
    def test_an_interval_period_starts_on_a_multiple_of_the_interval(self) -> None:
        schedule = Schedule("every-5-min", TICK, Tick(), every=timedelta(minutes=5))

        start = schedule.period_start(datetime(2026, 1, 1, 10, 7, 31, tzinfo=UTC))

        assert start == datetime(2026, 1, 1, 10, 5, tzinfo=UTC)

    def test_a_cron_period_starts_at_the_latest_tick(self) -> None:
        schedule = Schedule("daily-digest", TICK, Tick(), cron="0 8 * * *")

        start = schedule.period_start(datetime(2026, 1, 2, 7, 59, tzinfo=UTC))

        assert start == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)

    def test_a_cron_tick_exactly_now_is_the_current_period(self) -> None:
        schedule = Schedule("hourly", TICK, Tick(), cron="0 * * * *")

        start = schedule.period_start(datetime(2026, 1, 2, 7, 0, tzinfo=UTC))

        assert start == datetime(2026, 1, 2, 7, 0, tzinfo=UTC)

    def test_a_malformed_cron_line_is_refused(self) -> None:
        with pytest.raises(ValueError, match="not a cron expression"):
            Schedule("bad", TICK, Tick(), cron="every tuesday")

    def test_exactly_one_of_every_and_cron_is_required(self) -> None:
        with pytest.raises(ValueError, match="exactly one"):
            Schedule("both", TICK, Tick(), every=timedelta(minutes=1), cron="* * * * *")


class TestFiringWithSeveralWorkers:
    async def test_two_workers_fire_a_schedule_once_per_period(
        self, settings: Settings, registry: JobRegistry
    ) -> None:
        ran: list[str] = []

        @registry.handler(TICK)
        async def handle(context: JobContext, payload: Tick) -> None:
            ran.append(str(context.job_id))

        registry.add_schedule(Schedule("every-second", TICK, Tick(), every=timedelta(seconds=1)))

        # Two installations in one process: separate engines, like two worker processes.
        async with (
            OpenChance(settings, registry=registry) as first,
            OpenChance(settings, registry=registry) as second,
        ):
            async with running_worker(first), running_worker(second):
                await anyio.sleep(3.2)
            async with first.unit_of_work(read_only=True) as uow:
                keys = (
                    await uow.session.scalars(
                        select(Job.idempotency_key).where(Job.name == TICK.name)
                    )
                ).all()

        periods = sorted(key for key in keys if key)
        assert len(periods) == len(set(periods))
        assert 3 <= len(periods) <= 5
        assert len(ran) == len(set(ran))
        assert len(ran) >= len(periods) - 1  # the last period's job may still be pending
