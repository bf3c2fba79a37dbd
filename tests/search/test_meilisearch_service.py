"""Search with ``search_backend = meilisearch``, against a real Meilisearch server: it answers
searches, the index job and the reindex keep it in step with the database index, and when it
is down the database answers, the job retries and readiness says degraded."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from openchance import Actor, OpenChance
from openchance.errors import ProviderUnavailable
from openchance.health.schemas import HealthStatus
from openchance.models.challenges import Challenge, ChallengeStatus
from openchance.models.jobs import Job, JobState
from openchance.search.backends.meilisearch import MeilisearchBackend
from openchance.search.documents import build_document
from openchance.search.query import SearchDocument, SearchQuery, SearchViewer
from openchance.search.sync import INDEX_CHALLENGE, IndexChallenge
from tests.factories.challenges import insert_challenge
from tests.factories.users import create_user
from tests.search.meilisearch_peer import MeilisearchPeer, MeilisearchProcess, free_port
from tests.support.jobs import running_worker
from tests.support.waiting import eventually

ANONYMOUS = Actor.anonymous()
EVERYONE = SearchViewer(is_staff=True)


@pytest.fixture
def settings_overrides(meilisearch_peer: MeilisearchPeer, meilisearch_index: str) -> dict[str, Any]:
    return meilisearch_peer.settings(meilisearch_index)


def meilisearch_of(oc: OpenChance) -> MeilisearchBackend:
    assert oc.search.meilisearch is not None
    return oc.search.meilisearch


async def publish(oc: OpenChance, **fields: Any) -> uuid.UUID:
    """A published challenge in the database (its index job not run)."""
    owner = await create_user(oc, email=f"owner-{uuid.uuid4().hex[:8]}@example.com")
    return await insert_challenge(oc, owner, **fields)


async def enqueue_index(oc: OpenChance, challenge_id: uuid.UUID) -> uuid.UUID:
    """What ``schedule_index`` does, keeping the job's id."""
    async with oc.unit_of_work() as uow:
        job_id = await uow.enqueue(INDEX_CHALLENGE, IndexChallenge(challenge_id=challenge_id))
    assert job_id is not None
    return job_id


async def titles_in_meilisearch(oc: OpenChance, q: str | None = None) -> list[str]:
    page = await meilisearch_of(oc).search(SearchQuery(q=q), EVERYONE)
    return [document.title for document in page.documents]


async def titles_in_database(oc: OpenChance, q: str | None = None) -> list[str]:
    page = await oc.search.database.search(SearchQuery(q=q), EVERYONE)
    return [document.title for document in page.documents]


async def found_titles(oc: OpenChance, q: str) -> list[str]:
    results = await oc.search.search(ANONYMOUS, SearchQuery(q=q))
    return [item.title for item in results.items]


class TestAnsweredByMeilisearch:
    async def test_a_search_is_answered_by_meilisearch(self, oc: OpenChance) -> None:
        challenge_id = await publish(oc, title="Machine learning for bakeries")
        await oc.search.index_challenge(challenge_id)
        # Only Meilisearch still has it: whoever answers below is Meilisearch.
        await oc.search.database.delete([challenge_id])

        assert await found_titles(oc, "machine lerning") == ["Machine learning for bakeries"]

    async def test_autocomplete_is_answered_by_meilisearch(self, oc: OpenChance) -> None:
        challenge_id = await publish(oc, title="Solar panel layout", skills=["photovoltaics"])
        await oc.search.index_challenge(challenge_id)
        await oc.search.database.delete([challenge_id])

        suggestions = await oc.search.autocomplete(ANONYMOUS, "sol")

        assert [(s.kind, s.text) for s in suggestions] == [("title", "Solar panel layout")]

    async def test_readiness_names_meilisearch(self, oc: OpenChance) -> None:
        report = await oc.health.check()

        search = next(c for c in report.components if c.name == "search")
        assert search.status is HealthStatus.OK
        assert "meilisearch" in search.detail


class TestIndexJob:
    async def test_writes_both_indexes(self, oc: OpenChance) -> None:
        challenge_id = await publish(oc, title="Index me twice")
        job_id = await enqueue_index(oc, challenge_id)

        async with running_worker(oc, run_schedules=False):
            await eventually(lambda: job_succeeded(oc, job_id))

        assert await titles_in_meilisearch(oc, "index") == ["Index me twice"]
        assert await titles_in_database(oc, "index") == ["Index me twice"]

    async def test_removes_a_challenge_that_is_no_longer_published(self, oc: OpenChance) -> None:
        challenge_id = await publish(oc, title="Soon a draft again")
        await oc.search.index_challenge(challenge_id)
        async with oc.unit_of_work() as uow:
            challenge = await uow.session.get(Challenge, challenge_id)
            assert challenge is not None
            challenge.status = ChallengeStatus.DRAFT

        await oc.search.index_challenge(challenge_id)

        assert await titles_in_meilisearch(oc) == []
        assert await titles_in_database(oc) == []


class TestReindex:
    async def test_rebuilds_meilisearch_in_batches(
        self, oc: OpenChance, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("openchance.search.service.REINDEX_BATCH", 2)
        owner = await create_user(oc, email="owner@example.com")
        for number in range(5):
            await insert_challenge(oc, owner, title=f"Challenge number {number}")
        stale = await publish(oc, title="Stale")
        await oc.search.index_challenge(stale)
        async with oc.unit_of_work() as uow:
            row = await uow.session.get(Challenge, stale)
            assert row is not None
            await uow.session.delete(row)
        progress: list[tuple[int, int]] = []

        indexed = await oc.search.reindex(lambda done, total: progress.append((done, total)))

        assert indexed == 5
        assert sorted(await titles_in_meilisearch(oc)) == [
            f"Challenge number {n}" for n in range(5)
        ]
        assert progress[-1] == (5, 5)
        assert len(progress) == 4  # the start, then three batches of at most two


class TestMeilisearchDown:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {
            "search_backend": "meilisearch",
            "meilisearch_url": f"http://127.0.0.1:{free_port()}",
            "meilisearch_api_key": "irrelevant",
            "meilisearch_timeout_seconds": 1.0,
        }

    async def test_the_database_answers_a_search(
        self, oc: OpenChance, caplog: pytest.LogCaptureFixture
    ) -> None:
        challenge_id = await publish(oc, title="Machine learning for bakeries")
        async with oc.unit_of_work() as uow:
            await oc.search.database.write(uow.session, upsert=[await _document(oc, challenge_id)])

        with caplog.at_level(logging.WARNING, logger="openchance.search.service"):
            found = await found_titles(oc, "machine lerning")

        assert found == ["Machine learning for bakeries"]
        assert "meilisearch unavailable" in caplog.text

    async def test_the_database_answers_autocomplete(self, oc: OpenChance) -> None:
        challenge_id = await publish(oc, title="Solar panel layout")
        async with oc.unit_of_work() as uow:
            await oc.search.database.write(uow.session, upsert=[await _document(oc, challenge_id)])

        suggestions = await oc.search.autocomplete(ANONYMOUS, "sol")

        assert [s.text for s in suggestions] == ["Solar panel layout"]

    async def test_readiness_is_degraded(self, oc: OpenChance) -> None:
        report = await oc.health.check()

        search = next(c for c in report.components if c.name == "search")
        assert search.status is HealthStatus.DEGRADED
        assert report.status is HealthStatus.DEGRADED
        assert report.ready

    async def test_the_index_job_keeps_the_database_part_and_fails(self, oc: OpenChance) -> None:
        challenge_id = await publish(oc, title="Written to the database anyway")

        with pytest.raises(ProviderUnavailable):
            await oc.search.index_challenge(challenge_id)

        assert await titles_in_database(oc) == ["Written to the database anyway"]


async def _document(oc: OpenChance, challenge_id: uuid.UUID) -> SearchDocument:
    async with oc.unit_of_work(read_only=True) as uow:
        challenge = await uow.session.get(Challenge, challenge_id)
        assert challenge is not None
        document = await build_document(uow, challenge)
    assert document is not None
    return document


class TestStoppedAndRestarted:
    """A server of this test's own, stopped and started again on the same port and data."""

    @pytest.fixture
    def own_server(self, meilisearch_binary: Path, tmp_path: Path) -> Iterator[MeilisearchProcess]:
        server = MeilisearchProcess(meilisearch_binary, tmp_path / "meilisearch")
        server.start()
        try:
            yield server
        finally:
            server.stop()

    @pytest.fixture
    def settings_overrides(self, own_server: MeilisearchProcess) -> dict[str, Any]:
        return {
            "search_backend": "meilisearch",
            "meilisearch_url": own_server.url,
            "meilisearch_api_key": own_server.master_key,
            "meilisearch_timeout_seconds": 5.0,
            "jobs_backoff_base_seconds": 0.2,
            "jobs_backoff_max_seconds": 0.5,
        }

    async def test_search_falls_back_while_stopped(
        self, oc: OpenChance, own_server: MeilisearchProcess
    ) -> None:
        challenge_id = await publish(oc, title="Machine learning for bakeries")
        await oc.search.index_challenge(challenge_id)
        assert await found_titles(oc, "machine lerning") == ["Machine learning for bakeries"]

        own_server.stop()

        assert await found_titles(oc, "machine lerning") == ["Machine learning for bakeries"]
        report = await oc.health.check()
        assert next(c for c in report.components if c.name == "search").status is (
            HealthStatus.DEGRADED
        )

    async def test_the_index_job_is_retried_until_meilisearch_is_back(
        self, oc: OpenChance, own_server: MeilisearchProcess
    ) -> None:
        own_server.stop()
        challenge_id = await publish(oc, title="Waiting for the search server")
        job_id = await enqueue_index(oc, challenge_id)

        async with running_worker(oc, run_schedules=False):

            async def failed_once() -> Job | None:
                job = await _job(oc, job_id)
                return job if job.attempts >= 1 and job.last_error else None

            failed = await eventually(failed_once)
            assert failed.state in {JobState.PENDING, JobState.RUNNING}
            assert "meilisearch" in (failed.last_error or "").lower()

            own_server.start()

            await eventually(lambda: job_succeeded(oc, job_id), timeout=30)

        assert await titles_in_meilisearch(oc) == ["Waiting for the search server"]


async def _job(oc: OpenChance, job_id: uuid.UUID) -> Job:
    async with oc.unit_of_work(read_only=True) as uow:
        job = (await uow.session.scalars(select(Job).where(Job.id == job_id))).one()
    return job


async def job_succeeded(oc: OpenChance, job_id: uuid.UUID) -> bool:
    return (await _job(oc, job_id)).state is JobState.SUCCEEDED
