"""Search documents in memory, for the search backends' tests (the index holds these)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from openchance.models.challenges import ChallengeStatus, Difficulty, RewardKind, Visibility
from openchance.search.query import SearchDocument

BASE_TIME = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def document(**fields: Any) -> SearchDocument:
    """A published, open, public challenge's document; ``fields`` override."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "title": "Forecast bakery demand",
        "summary": "Predict tomorrow's bread orders from two years of sales.",
        "description": "We have sales data and weather records.",
        "skills": ["python", "forecasting"],
        "category": "data-science-ai",
        "difficulty": Difficulty.INTERMEDIATE,
        "status": ChallengeStatus.OPEN,
        "visibility": Visibility.PUBLIC,
        "viewer_ids": [],
        "reward_kind": RewardKind.FIXED,
        "reward_currency": "EUR",
        "reward_min_minor": 100_000,
        "reward_max_minor": 100_000,
        "deadline": BASE_TIME + timedelta(days=30),
        "published_at": BASE_TIME,
    }
    values.update(fields)
    return SearchDocument.model_validate(values)
