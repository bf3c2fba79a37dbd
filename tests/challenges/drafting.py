"""Challenges made through the use cases (``oc.challenges``), for the lifecycle tests."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from openchance import Actor, OpenChance, Role
from openchance.challenges.schemas import ChallengeCreate, ChallengeRead
from openchance.db.types import utcnow
from openchance.models.challenges import Challenge
from openchance.models.events import EventRecord
from openchance.models.jobs import Job
from openchance.models.notifications import Notification
from tests.factories.users import create_user


def challenge_data(**overrides: Any) -> dict[str, Any]:
    """A valid ``ChallengeCreate`` body, as JSON would carry it."""
    data: dict[str, Any] = {
        "title": "Forecast bakery demand",
        "summary": "Predict tomorrow's bread orders from two years of sales.",
        "description": "We have **sales data** and weather records.",
        "category": "data-science-ai",
        "difficulty": "intermediate",
        "skills": ["Python", "Time Series"],
        "reward": {"kind": "fixed", "currency": "EUR", "amount": "1500.00"},
        "deadline": (utcnow() + timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


def challenge_create(**overrides: Any) -> ChallengeCreate:
    return ChallengeCreate.model_validate(challenge_data(**overrides))


async def person(oc: OpenChance, name: str = "ada", role: Role = Role.USER) -> Actor:
    """A real account, acting through an interactive session's actor."""
    user_id = await create_user(
        oc, email=f"{name}-{uuid.uuid4().hex[:8]}@example.org", display_name=name.title(), role=role
    )
    return Actor.user(user_id, {role})


async def draft(oc: OpenChance, owner: Actor, **overrides: Any) -> ChallengeRead:
    return await oc.challenges.create_challenge(owner, challenge_create(**overrides))


async def opened(oc: OpenChance, owner: Actor, moderator: Actor, **overrides: Any) -> ChallengeRead:
    """Drafted, submitted and (when review is on) approved."""
    challenge = await draft(oc, owner, **overrides)
    submitted = await oc.challenges.submit_challenge(owner, challenge.id)
    if submitted.status == "pending_review":
        return await oc.challenges.approve_challenge(moderator, challenge.id)
    return submitted


async def set_columns(oc: OpenChance, challenge_id: uuid.UUID, **columns: Any) -> None:
    """Change a challenge row behind the use cases' back (a deadline in the past, …)."""
    async with oc.unit_of_work() as uow:
        challenge = await uow.session.get(Challenge, challenge_id)
        assert challenge is not None
        for name, value in columns.items():
            setattr(challenge, name, value)


async def row(oc: OpenChance, challenge_id: uuid.UUID) -> Challenge | None:
    async with oc.unit_of_work(read_only=True) as uow:
        return await uow.session.get(Challenge, challenge_id)


async def jobs_named(oc: OpenChance, name: str) -> list[Job]:
    async with oc.unit_of_work(read_only=True) as uow:
        return list(await uow.session.scalars(select(Job).where(Job.name == name)))


async def notifications_of(oc: OpenChance, user_id: uuid.UUID | None) -> list[Notification]:
    async with oc.unit_of_work(read_only=True) as uow:
        return list(
            await uow.session.scalars(select(Notification).where(Notification.user_id == user_id))
        )


async def events_named(oc: OpenChance, name: str) -> list[dict[str, Any]]:
    """Payloads of the recorded domain events called ``name``, oldest first."""
    async with oc.unit_of_work(read_only=True) as uow:
        rows = await uow.session.scalars(
            select(EventRecord).where(EventRecord.name == name).order_by(EventRecord.position)
        )
        return [record.payload for record in rows]
