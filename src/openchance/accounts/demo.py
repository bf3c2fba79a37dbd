"""Demo accounts: one per staff role, and challengers and solvers (created once)."""

from __future__ import annotations

from sqlalchemy import select

from openchance.accounts.schemas import UserCreate
from openchance.actor import Actor, Role
from openchance.models.accounts import User
from openchance.platform import OpenChance

DEMO_PASSWORD = "harbour-lantern-demo-42"  # noqa: S105 - published in the README on purpose
DEMO_DOMAIN = "demo.openchance.dev"

DEMO_ACCOUNTS: list[tuple[str, str, Role]] = [
    ("admin", "Avery Admin", Role.ADMIN),
    ("moderator", "Morgan Moderator", Role.MODERATOR),
    ("support", "Sam Support", Role.SUPPORT),
    ("challenger", "Chidi Challenger (Acme Research)", Role.USER),
    ("challenger2", "Carmen Challenger (Green Grid NGO)", Role.USER),
    ("solver", "Sofia Solver", Role.USER),
    ("solver2", "Satoshi Solver", Role.USER),
]


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


async def seed_demo_accounts(oc: OpenChance) -> str:
    """Create the demo accounts that do not exist yet; safe to run on every start."""
    system = Actor.system("demo")
    async with oc.unit_of_work(read_only=True) as uow:
        existing = set(
            (
                await uow.session.scalars(
                    select(User.email).where(User.email.like(f"%@{DEMO_DOMAIN}"))
                )
            ).all()
        )
    created = 0
    for local_part, name, role in DEMO_ACCOUNTS:
        email = demo_email(local_part)
        if email in existing:
            continue
        await oc.users.create_user(
            system,
            UserCreate(email=email, password=DEMO_PASSWORD, display_name=name, role=role),
        )
        created += 1
    return f"{len(DEMO_ACCOUNTS)} accounts ({created} new), password {DEMO_PASSWORD}"
