"""What the saved-search use cases take and answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openchance.models.saved_searches import AlertFrequency
from openchance.search.query import SearchFilters

MAX_NAME_LENGTH = 100


class SavedSearchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, description="Unique among yours.")
    query: SearchFilters = Field(
        default_factory=lambda: SearchFilters.model_validate({}),
        description="The filters, as for a search (no sort or page).",
    )
    frequency: AlertFrequency = Field(
        default=AlertFrequency.INSTANT,
        description="`instant`: alert as soon as a matching challenge opens; `daily`: once a "
        "day, for the challenges opened since the last run.",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("the name is empty")
        return value


class SavedSearchRead(BaseModel):
    id: uuid.UUID
    name: str
    query: SearchFilters
    frequency: AlertFrequency
    created_at: datetime
    last_run_at: datetime | None = Field(description="Daily alerts: when they last ran.")
