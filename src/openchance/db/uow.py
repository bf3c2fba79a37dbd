"""The unit of work: one transaction per use case, with its events and jobs (the outbox).

Services work inside a unit of work and never commit; the edge that opened it (an HTTP
request, a CLI command, a console action, a job) commits by leaving the ``async with``
block normally, or rolls back by raising. Events recorded and jobs enqueued are rows in
the same transaction, so they exist exactly when the change does; events are announced
on the bus only after the commit, and a rollback drops them unannounced.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self, TypeVar

import anyio
from psycopg.errors import UndefinedColumn, UndefinedTable
from pydantic import BaseModel
from sqlalchemy.exc import DatabaseError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openchance.db.types import utcnow
from openchance.errors import ConfigurationError, ProviderUnavailable
from openchance.events import DomainEvent, PublishedEvent
from openchance.jobs import queue
from openchance.jobs.types import JobType
from openchance.models.events import EventRecord
from openchance.providers.bus import EventBus

logger = logging.getLogger(__name__)

EVENTS_CHANNEL = "events"
PUBLISH_TIMEOUT_SECONDS = 5.0
"""An unreachable bus must not hold up a use case whose change is already committed."""

P = TypeVar("P", bound=BaseModel)


class ReadOnlyUnitOfWork(RuntimeError):
    """Raised when a read-only unit of work is asked to record, enqueue or write."""


class UnitOfWork:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        bus: EventBus,
        after_jobs_committed: Callable[[], None],
        read_only: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._bus = bus
        self._after_jobs_committed = after_jobs_committed
        self.read_only = read_only
        self.transaction_id = uuid.uuid4()
        self._session: AsyncSession | None = None
        self._events: list[EventRecord] = []
        self._jobs_enqueued = 0
        self._notified = False

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        try:
            await self._session.begin()
        except CONNECTION_ERRORS as exc:
            with anyio.CancelScope(shield=True):
                await _quietly(self._session.close())
            if not _is_connection_error(exc):
                raise
            raise _unavailable(exc) from exc
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            # Shielded: a cancelled use case must still end its transaction, or SQLite's
            # write lock (and a pooled PostgreSQL connection) stays held.
            with anyio.CancelScope(shield=True):
                if self.read_only:
                    # Detach first so what was read stays readable after the rollback.
                    session.expunge_all()
                    await _quietly(session.rollback())
                elif exc_type is not None:
                    await _quietly(session.rollback())
                    self._events.clear()
                else:
                    try:
                        await session.commit()
                    except CONNECTION_ERRORS as commit_error:
                        if not _is_connection_error(commit_error):
                            raise
                        raise _unavailable(commit_error) from commit_error
        finally:
            with anyio.CancelScope(shield=True):
                await _quietly(session.close())
        if exc is not None and (error := database_error(exc)) is not None:
            raise error from exc
        if exc_type is None and not self.read_only:
            await self._after_commit()

    def record(self, event: DomainEvent) -> None:
        """Write a domain event with the change; it is announced if, and after, this commits."""
        self._check_writable()
        record = EventRecord(
            id=uuid.uuid4(),
            name=event.name,
            payload=event.model_dump(mode="json"),
            transaction_id=self.transaction_id,
            occurred_at=utcnow(),
        )
        self.session.add(record)
        self._events.append(record)

    async def enqueue(
        self,
        job_type: JobType[P],
        payload: P,
        *,
        run_at: datetime | None = None,
        delay: timedelta | None = None,
        priority: int | None = None,
        idempotency_key: str | None = None,
    ) -> uuid.UUID | None:
        """Add a job in this transaction. Returns its id, or None if the key already exists."""
        self._check_writable()
        if not isinstance(payload, job_type.payload_type):
            raise TypeError(
                f"job {job_type.name!r} takes {job_type.payload_type.__name__}, "
                f"not {type(payload).__name__}"
            )
        when = run_at or utcnow()
        if delay is not None:
            when = when + delay
        job_id = await queue.insert_job(
            self.session,
            name=job_type.name,
            payload=payload.model_dump(mode="json"),
            run_at=when,
            priority=job_type.priority if priority is None else priority,
            max_attempts=job_type.max_attempts,
            idempotency_key=idempotency_key,
            transaction_id=self.transaction_id,
        )
        if job_id is not None:
            self._jobs_enqueued += 1
            if not self._notified:
                await queue.notify_workers(self.session)
                self._notified = True
        return job_id

    async def flush(self) -> None:
        await self.session.flush()

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyUnitOfWork("this unit of work is read-only")

    async def _after_commit(self) -> None:
        if self._jobs_enqueued:
            self._after_jobs_committed()
        for record in self._events:
            published = PublishedEvent(
                position=record.position,
                id=record.id,
                name=record.name,
                payload=record.payload,
                occurred_at=record.occurred_at,
            )
            try:
                with anyio.fail_after(PUBLISH_TIMEOUT_SECONDS):
                    await self._bus.publish(EVENTS_CHANNEL, published.model_dump_json())
            except Exception:
                # Committed is committed: readers catch up from the events table.
                logger.exception("could not announce event %s on the bus", record.name)
        self._events.clear()


CONNECTION_ERRORS = (OperationalError, InterfaceError, DatabaseError)


def database_error(exc: BaseException) -> Exception | None:
    """The domain error a failed database call stands for: ``schema_outdated`` for an
    unmigrated database, ``ProviderUnavailable`` for a lost one; None for any other failure
    (which is raised as it is)."""
    if _is_schema_error(exc):
        return ConfigurationError(
            "the database schema is older than this version of OpenChance: run "
            "`openchance db upgrade`",
            code="schema_outdated",
        )
    if _is_connection_error(exc):
        return _unavailable(exc)
    return None


def _is_connection_error(exc: BaseException | None) -> bool:
    """Lost, refused or unreadable databases; not constraint violations and the like
    (IntegrityError and friends are DatabaseError subclasses, so match exact classes)."""
    return isinstance(exc, OperationalError | InterfaceError) or type(exc) is DatabaseError


def _is_schema_error(exc: BaseException) -> bool:
    """A table or column the code expects is missing: the database was not migrated."""
    if not isinstance(exc, DBAPIError):
        return False
    original = exc.orig
    if isinstance(original, UndefinedTable | UndefinedColumn):
        return True
    text = str(original).lower()
    return isinstance(exc, OperationalError) and (
        "no such table" in text or "no such column" in text
    )


def _unavailable(exc: BaseException) -> ProviderUnavailable:
    """A lost or refused database connection, as the domain error adapters know."""
    return ProviderUnavailable("database", f"the database is not answering: {type(exc).__name__}")


async def _quietly(step: Awaitable[None]) -> None:
    """Rollback and close after a failure: a broken connection must not mask the cause."""
    try:
        await step
    except Exception:
        logger.warning("could not end a transaction cleanly", exc_info=True)
