"""``openchance jobs …``: what an operator sees and can do from a shell."""

from __future__ import annotations

import json
import uuid

import anyio

from openchance import OpenChance, Settings
from openchance.models.jobs import JobState
from tests.cli.conftest import Invoke
from tests.factories.jobs import FactoryPayload, create_job


def _make_job(settings: Settings, state: JobState) -> uuid.UUID:
    async def create() -> uuid.UUID:
        async with OpenChance(settings) as oc:
            return await create_job(oc, state=state, name="test.chore")

    return anyio.run(create)


class TestJobsList:
    def test_lists_dead_jobs_as_json(self, invoke: Invoke, settings: Settings) -> None:
        _make_job(settings, JobState.PENDING)
        dead = _make_job(settings, JobState.DEAD)

        result = invoke("jobs", "list", "--state", "dead", "--json")

        assert result.exit_code == 0, result.output
        assert [row["id"] for row in json.loads(result.stdout)] == [str(dead)]

    def test_an_unknown_state_is_a_usage_error(self, invoke: Invoke) -> None:
        result = invoke("jobs", "list", "--state", "sleeping")

        assert result.exit_code == 2

    def test_the_table_shows_the_job_name(self, invoke: Invoke, settings: Settings) -> None:
        _make_job(settings, JobState.PENDING)

        result = invoke("jobs", "list")

        assert result.exit_code == 0
        assert "test.chore" in result.stdout


class TestJobsRetry:
    def test_a_dead_job_becomes_pending(self, invoke: Invoke, settings: Settings) -> None:
        dead = _make_job(settings, JobState.DEAD)

        result = invoke("jobs", "retry", str(dead), "--json")

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["state"] == "pending"

    def test_a_pending_job_is_a_conflict_with_its_own_exit_code(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        pending = _make_job(settings, JobState.PENDING)

        result = invoke("jobs", "retry", str(pending))

        assert result.exit_code == 5
        assert "job_not_retryable" in result.stderr


class TestJobsShowAndCancel:
    def test_an_unknown_job_is_not_found(self, invoke: Invoke) -> None:
        result = invoke("jobs", "show", str(uuid.uuid4()))

        assert result.exit_code == 3
        assert "not_found" in result.stderr

    def test_show_includes_the_payload(self, invoke: Invoke, settings: Settings) -> None:
        job_id = _make_job(settings, JobState.PENDING)

        result = invoke("jobs", "show", str(job_id), "--json")

        assert json.loads(result.stdout)["payload"] == FactoryPayload().model_dump()

    def test_cancel_calls_off_a_pending_job(self, invoke: Invoke, settings: Settings) -> None:
        job_id = _make_job(settings, JobState.PENDING)

        result = invoke("jobs", "cancel", str(job_id), "--json")

        assert json.loads(result.stdout)["state"] == "cancelled"

    def test_counts_as_json(self, invoke: Invoke, settings: Settings) -> None:
        _make_job(settings, JobState.DEAD)

        result = invoke("jobs", "counts", "--json")

        assert json.loads(result.stdout)["counts"]["dead"] == 1
