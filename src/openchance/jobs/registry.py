"""Where job handlers and periodic schedules are registered by name."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from croniter import croniter
from pydantic import BaseModel

from openchance.errors import ConfigurationError
from openchance.jobs.types import JobType

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler gets besides its payload: the job's identity and the platform."""

    job_id: uuid.UUID
    name: str
    attempt: int
    max_attempts: int
    platform: OpenChance

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        """Open a transaction of the handler's own (commit on success, roll back on error)."""
        return self.platform.unit_of_work(read_only=read_only)


Handler = Callable[[JobContext, P], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RegisteredHandler(Generic[P]):
    job_type: JobType[P]
    handler: Handler[P]


@dataclass(frozen=True, slots=True)
class Schedule:
    """Enqueue ``job_type`` with ``payload`` once per period: every ``every``, or on a cron line.

    A period is identified by its start time; the job's idempotency key contains it, so
    several workers that all notice the same period create one job between them.
    """

    name: str
    job_type: JobType[Any]
    payload: BaseModel
    every: timedelta | None = None
    cron: str | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"schedule {self.name!r}: give exactly one of every= or cron=")
        if self.every is not None and self.every.total_seconds() < 1:
            raise ValueError(f"schedule {self.name!r}: the shortest period is one second")
        if self.cron is not None and not croniter.is_valid(self.cron):
            raise ValueError(f"schedule {self.name!r}: {self.cron!r} is not a cron expression")

    def period_start(self, now: datetime) -> datetime:
        """Start of the period that ``now`` falls in (aligned to the epoch or the cron line)."""
        if self.every is not None:
            step = self.every.total_seconds()
            start = (now.timestamp() // step) * step
            return datetime.fromtimestamp(start, UTC)
        assert self.cron is not None
        # The latest cron tick at or before now.
        iterator = croniter(self.cron, now + timedelta(microseconds=1))
        previous: datetime = iterator.get_prev(datetime)
        return previous.astimezone(UTC)

    def idempotency_key(self, period_start: datetime) -> str:
        return f"schedule:{self.name}:{period_start.isoformat()}"


@dataclass
class JobRegistry:
    """Handlers by job name, and the periodic schedules."""

    _handlers: dict[str, RegisteredHandler[Any]] = field(default_factory=dict)
    _schedules: dict[str, Schedule] = field(default_factory=dict)

    def handler(self, job_type: JobType[P]) -> Callable[[Handler[P]], Handler[P]]:
        """Decorator: ``@registry.handler(SEND_MAIL) async def send(ctx, payload): …``."""

        def register(function: Handler[P]) -> Handler[P]:
            self.add_handler(job_type, function)
            return function

        return register

    def add_handler(self, job_type: JobType[P], function: Handler[P]) -> None:
        existing = self._handlers.get(job_type.name)
        if existing is not None and existing.handler is not function:
            raise ValueError(f"a handler for job {job_type.name!r} is already registered")
        self._handlers[job_type.name] = RegisteredHandler(job_type, function)

    def add_schedule(self, schedule: Schedule) -> None:
        if schedule.name in self._schedules:
            raise ValueError(f"a schedule named {schedule.name!r} is already registered")
        self._schedules[schedule.name] = schedule

    def get(self, name: str) -> RegisteredHandler[Any] | None:
        return self._handlers.get(name)

    @property
    def names(self) -> list[str]:
        return sorted(self._handlers)

    @property
    def schedules(self) -> list[Schedule]:
        return list(self._schedules.values())

    def load_modules(self, module_names: list[str]) -> None:
        """Import each module and call its ``register(registry)`` function."""
        for module_name in module_names:
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                raise ConfigurationError(
                    f"OPENCHANCE_JOB_MODULES: cannot import {module_name!r}: {exc}"
                ) from exc
            register = getattr(module, "register", None)
            if not callable(register):
                raise ConfigurationError(
                    f"OPENCHANCE_JOB_MODULES: {module_name!r} has no register(registry) function"
                )
            register(self)
