"""One transaction per use case: rows, jobs and events live or die together."""

from __future__ import annotations

import json
from typing import ClassVar

import anyio
import pytest
from pydantic import BaseModel
from sqlalchemy import func, select

from openchance import OpenChance
from openchance.db.uow import EVENTS_CHANNEL, ReadOnlyUnitOfWork
from openchance.events import DomainEvent, PublishedEvent
from openchance.jobs import JobType
from openchance.models import EventRecord, Job


class ThingHappened(DomainEvent):
    name: ClassVar[str] = "thing.happened"
    thing: str


class Ping(BaseModel):
    text: str


PING = JobType("test.ping", Ping)


class UseCaseFailed(Exception):
    pass


async def _count(oc: OpenChance, model: type[Job] | type[EventRecord]) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def _collect_events(oc: OpenChance, into: list[PublishedEvent], ready: anyio.Event) -> None:
    async with oc.bus.subscribe(EVENTS_CHANNEL) as messages:
        ready.set()
        async for message in messages:
            into.append(PublishedEvent.model_validate_json(message))


async def _failing_use_case(oc: OpenChance) -> None:
    async with oc.unit_of_work() as uow:
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
