"""The demo marketplace: migrate the database and seed it, idempotently.

Each domain adds a seeding step as it lands; a step must be safe to run on every start
(it checks what exists before it writes). Today: the demo accounts, the challenges (with
their payments), then messages in whatever conversations the steps before opened, the
winners' payouts, and a summary of the money.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from openchance.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_email, seed_demo_accounts
from openchance.challenges.demo import seed_demo_challenges
from openchance.db import migrate
from openchance.messaging.demo import seed_demo_conversations
from openchance.payments.demo import describe_demo_payments, seed_demo_payouts
from openchance.platform import OpenChance

SeedStep = Callable[[OpenChance], Awaitable[str]]
"""Seeds one domain and returns a one-line summary of what exists afterwards."""


def _seed_steps() -> list[SeedStep]:
    # Conversations last: they fill the conversations that applications opened.
    return [
        seed_demo_accounts,
        seed_demo_challenges,
        seed_demo_conversations,
        seed_demo_payouts,
        describe_demo_payments,
    ]


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
    for step in _seed_steps():
        summary.steps.append(await step(oc))
    summary.logins = [
        DemoLogin(email=demo_email(local_part), password=DEMO_PASSWORD, roles=(role.value,))
        for local_part, _name, role in DEMO_ACCOUNTS
    ]
    return summary
