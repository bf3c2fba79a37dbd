"""One transaction per use case: rows, jobs and events live or die together."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import anyio
import pytest
from pydantic import BaseModel
from sqlalchemy import func, insert, select

from openchance import ConfigurationError, OpenChance, ProviderUnavailable, Settings
from openchance.db.types import utcnow
from openchance.db.uow import EVENTS_CHANNEL, ReadOnlyUnitOfWork
from openchance.events import DomainEvent, PublishedEvent
from openchance.jobs import JobType
from openchance.models import EventRecord, Job, WorkerRecord
from tests.support import databases


class ThingHappened(DomainEvent):
    name: ClassVar[str] = "thing.happened"
    thing: str


class Ping(BaseModel):
    text: str


PING = JobType("test.ping", Ping)


class UseCaseFailed(Exception):
    pass


async def _count(oc: OpenChance, model: type[Job] | type[EventRecord] | type[WorkerRecord]) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def _collect_events(oc: OpenChance, into: list[PublishedEvent], ready: anyio.Event) -> None:
    async with oc.bus.subscribe(EVENTS_CHANNEL) as messages:
        ready.set()
        async for message in messages:
            into.append(PublishedEvent.model_validate_json(message))


async def _failing_use_case(oc: OpenChance) -> None:
    async with oc.unit_of_work() as uow:
        await uow.session.execute(
            insert(WorkerRecord).values(
                id="never-committed", hostname="h", pid=1, concurrency=1,
                started_at=utcnow(), last_seen_at=utcnow(),
            )
        )  # fmt: skip
        await uow.enqueue(PING, Ping(text="never"))
        uow.record(ThingHappened(thing="never"))
        await uow.flush()
        raise UseCaseFailed


class TestRollback:
    async def test_a_failed_use_case_leaves_no_job_and_no_event(self, oc: OpenChance) -> None:
        announced: list[PublishedEvent] = []
        ready = anyio.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(_collect_events, oc, announced, ready)
            await ready.wait()
            with pytest.raises(UseCaseFailed):
                await _failing_use_case(oc)
            await anyio.sleep(0.2)
            tg.cancel_scope.cancel()

        assert await _count(oc, Job) == 0
        assert await _count(oc, EventRecord) == 0
        assert await _count(oc, WorkerRecord) == 0
        assert announced == []


class TestCommit:
    async def test_commit_stores_the_job_and_publishes_the_event_once(self, oc: OpenChance) -> None:
        announced: list[PublishedEvent] = []
        ready = anyio.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(_collect_events, oc, announced, ready)
            await ready.wait()
            async with oc.unit_of_work() as uow:
                await uow.enqueue(PING, Ping(text="hello"))
                uow.record(ThingHappened(thing="hello"))
            with anyio.fail_after(5):
                while not announced:
                    await anyio.sleep(0.01)
            await anyio.sleep(0.2)
            tg.cancel_scope.cancel()

        assert await _count(oc, Job) == 1
        assert await _count(oc, EventRecord) == 1
        assert [event.name for event in announced] == ["thing.happened"]
        assert announced[0].payload == {"thing": "hello"}

    async def test_an_event_survives_a_json_round_trip(self, oc: OpenChance) -> None:
        async with oc.unit_of_work() as uow:
            uow.record(ThingHappened(thing="round trip"))
        async with oc.unit_of_work(read_only=True) as uow:
            record = (await uow.session.scalars(select(EventRecord))).one()
        published = PublishedEvent(
            position=record.position,
            id=record.id,
            name=record.name,
            payload=record.payload,
            occurred_at=record.occurred_at,
        )
        assert PublishedEvent.model_validate(json.loads(published.model_dump_json())) == published

    async def test_the_event_is_not_announced_before_the_commit(self, oc: OpenChance) -> None:
        announced: list[PublishedEvent] = []
        ready = anyio.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(_collect_events, oc, announced, ready)
            await ready.wait()
            async with oc.unit_of_work() as uow:
                uow.record(ThingHappened(thing="later"))
                await uow.flush()
                await anyio.sleep(0.2)
                assert announced == []
            with anyio.fail_after(5):
                while not announced:
                    await anyio.sleep(0.01)
            tg.cancel_scope.cancel()


class TestReadOnly:
    async def test_a_read_only_unit_of_work_refuses_to_enqueue(self, oc: OpenChance) -> None:
        with pytest.raises(ReadOnlyUnitOfWork):
            async with oc.unit_of_work(read_only=True) as uow:
                await uow.enqueue(PING, Ping(text="no"))


class TestIdempotentEnqueue:
    async def test_a_duplicate_idempotency_key_creates_no_second_job(self, oc: OpenChance) -> None:
        async with oc.unit_of_work() as uow:
            first = await uow.enqueue(PING, Ping(text="a"), idempotency_key="same")
        async with oc.unit_of_work() as uow:
            second = await uow.enqueue(PING, Ping(text="b"), idempotency_key="same")

        assert first is not None
        assert second is None
        assert await _count(oc, Job) == 1

    async def test_a_payload_of_the_wrong_type_is_refused(self, oc: OpenChance) -> None:
        class Other(BaseModel):
            x: int

        with pytest.raises(TypeError, match=r"test\.ping"):
            async with oc.unit_of_work() as uow:
                await uow.enqueue(PING, Other(x=1))  # type: ignore[arg-type]


class TestConcurrentWrites:
    async def test_many_read_then_write_units_of_work_neither_fail_nor_lose_updates(
        self, oc: OpenChance
    ) -> None:
        """SQLite would answer SQLITE_BUSY to a deferred transaction that reads and then
        writes while another writes; write units of work take the lock up front instead."""
        async with oc.unit_of_work() as uow:
            await uow.session.execute(
                insert(WorkerRecord).values(
                    id="counter", hostname="h", pid=0, concurrency=0,
                    started_at=utcnow(), last_seen_at=utcnow(),
                )
            )  # fmt: skip

        async def increment() -> None:
            async with oc.unit_of_work() as uow:
                row = await uow.session.get(WorkerRecord, "counter", with_for_update=True)
                assert row is not None
                await anyio.sleep(0.001)
                row.pid += 1

        async with anyio.create_task_group() as group:
            for _ in range(40):
                group.start_soon(increment)

        async with oc.unit_of_work(read_only=True) as uow:
            row = await uow.session.get(WorkerRecord, "counter")
        assert row is not None
        assert row.pid == 40


class TestDatabaseUnavailable:
    async def test_a_lost_database_is_a_provider_unavailable_error(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        if settings.is_sqlite:
            garbage = tmp_path / "not-a-database.db"
            garbage.write_bytes(b"this is not an SQLite database file" * 100)
            url = f"sqlite:///{garbage}"
        else:
            url = "postgresql://postgres@127.0.0.1:1/nothing"
        broken = settings.model_copy(update={"database_url": url})

        async with OpenChance(broken) as oc:
            with pytest.raises(ProviderUnavailable) as raised:
                async with oc.unit_of_work(read_only=True) as uow:
                    await uow.session.execute(select(func.count()).select_from(Job))

        assert raised.value.provider == "database"


class TestSchemaBehind:
    async def test_a_database_without_the_tables_says_to_upgrade(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        if settings.is_sqlite:
            url = f"sqlite:///{tmp_path / 'empty.db'}"
            empty = settings.model_copy(update={"database_url": url})
            async with OpenChance(empty) as oc:
                await _expect_schema_outdated(oc)
        else:
            with databases.scratch_postgres_database("unmigrated") as url:
                empty = settings.model_copy(update={"database_url": url})
                async with OpenChance(empty) as oc:
                    await _expect_schema_outdated(oc)


async def _expect_schema_outdated(oc: OpenChance) -> None:
    with pytest.raises(ConfigurationError) as raised:
        async with oc.unit_of_work(read_only=True) as uow:
            await uow.session.execute(select(func.count()).select_from(Job))
    assert raised.value.code == "schema_outdated"
