"""Job types: a name and a payload schema, shared by the code that enqueues and the handler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

DEFAULT_MAX_ATTEMPTS = 20

P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class JobType(Generic[P]):
    """A kind of job. Enqueue it with a ``payload_type`` instance; register a handler for it.

    ``priority``: lower runs first (0 is the default). ``timeout_seconds``: a run that
    takes longer is cancelled and counts as a failed attempt.
    """

    name: str
    payload_type: type[P]
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    priority: int = 0
    timeout_seconds: float | None = None

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 120:
            raise ValueError("a job name has 1 to 120 characters")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
