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

    def without_details(self) -> HealthReport:
        """The same report with each component's detail replaced by its status: for
        unauthenticated probes in production, where error texts name hosts and ports."""
        return self.model_copy(
            update={
                "components": [
                    component.model_copy(update={"detail": component.status.value})
                    for component in self.components
                ]
            }
        )

    @property
    def ready(self) -> bool:
        return self.status is not HealthStatus.DOWN
