"""Applications made through the use cases (``oc.applications``), and the rows they leave."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from openchance import Actor, OpenChance
from openchance.applications.schemas import ApplicationCreate, ApplicationRead
from openchance.challenges.schemas import ChallengeRead
from openchance.models.applications import Application, ApplicationHistoryEntry
from openchance.models.challenges import Challenge
from tests.challenges.drafting import opened, person
from tests.factories.users import SYSTEM


def bid_data(amount: str | int = "1200.00", currency: str = "EUR", **fields: Any) -> dict[str, Any]:
    """A bid as JSON carries it: a decimal string, or minor units when ``amount`` is an int."""
    key = "amount_minor" if isinstance(amount, int) else "amount"
    return {"currency": currency, key: amount, **fields}


def application_data(**overrides: Any) -> dict[str, Any]:
    """A valid ``ApplicationCreate`` body, as JSON would carry it."""
    data: dict[str, Any] = {
        "accept_terms": True,
        "proposal": "I will build a **gradient-boosted** model and explain it.",
        "bid": bid_data(),
        "estimated_days": 14,
        "portfolio_links": ["https://example.org/portfolio"],
    }
    data.update(overrides)
    return data


def application_create(**overrides: Any) -> ApplicationCreate:
    return ApplicationCreate.model_validate(application_data(**overrides))


async def apply(
    oc: OpenChance, solver: Actor, challenge_id: uuid.UUID, **overrides: Any
) -> ApplicationRead:
    return await oc.applications.submit_application(
        solver, challenge_id, application_create(**overrides)
    )


async def open_challenge(
    oc: OpenChance, owner: Actor | None = None, **overrides: Any
) -> ChallengeRead:
    """An open challenge (fixed 1500.00 EUR unless ``reward`` says otherwise)."""
    return await opened(oc, owner or await person(oc, "chidi"), SYSTEM, **overrides)


async def application_row(oc: OpenChance, application_id: uuid.UUID) -> Application:
    async with oc.unit_of_work(read_only=True) as uow:
        row = await uow.session.get(Application, application_id)
        assert row is not None
        return row


async def challenge_row(oc: OpenChance, challenge_id: uuid.UUID) -> Challenge:
    async with oc.unit_of_work(read_only=True) as uow:
        row = await uow.session.get(Challenge, challenge_id)
        assert row is not None
        return row


async def history_actions(oc: OpenChance, application_id: uuid.UUID) -> list[str]:
    async with oc.unit_of_work(read_only=True) as uow:
        rows = await uow.session.scalars(
            select(ApplicationHistoryEntry.action)
            .where(ApplicationHistoryEntry.application_id == application_id)
            .order_by(ApplicationHistoryEntry.created_at)
        )
        return list(rows)


async def set_application_columns(
    oc: OpenChance, application_id: uuid.UUID, **columns: Any
) -> None:
    """Change an application row behind the use cases' back (an older ``created_at``, …)."""
    async with oc.unit_of_work() as uow:
        row = await uow.session.get(Application, application_id)
        assert row is not None
        for name, value in columns.items():
            setattr(row, name, value)
