"""The demo marketplace: migrate the database and seed it, idempotently.

Each domain adds a seeding step as it lands; a step must be safe to run on every start
(it checks what exists before it writes). The foundation has no domain tables yet, so
today the demo is an empty, migrated marketplace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from openchance.db import migrate
from openchance.platform import OpenChance

SeedStep = Callable[[OpenChance], Awaitable[str]]
"""Seeds one domain and returns a one-line summary of what exists afterwards."""

SEED_STEPS: list[SeedStep] = []


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    password: str
    roles: tuple[str, ...]


@dataclass(slots=True)
class DemoSummary:
    revision: str | None
    steps: list[str] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)


async def prepare_demo(oc: OpenChance) -> DemoSummary:
    """Bring the database to the newest schema and run every seeding step."""
    await oc.upgrade_database()
    summary = DemoSummary(revision=await migrate.current_revision(oc.settings.database_url))
    for step in SEED_STEPS:
        summary.steps.append(await step(oc))
    return summary
