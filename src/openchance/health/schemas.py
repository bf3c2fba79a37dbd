from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class HealthStatus(StrEnum):
    """How well a component, or the whole installation, works."""

    OK = "ok"
    """Working."""
    DEGRADED = "degraded"
    """Serving, with something missing (e.g. no live job worker): look soon."""
    DOWN = "down"
    """Not able to serve."""


class ComponentHealth(BaseModel):
    name: str
    status: HealthStatus
    detail: str


class HealthReport(BaseModel):
    status: HealthStatus
    checked_at: datetime
    components: list[ComponentHealth]

    @property
    def ready(self) -> bool:
        return self.status is not HealthStatus.DOWN
