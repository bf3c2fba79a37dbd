"""Demo accounts: one per staff role, and challengers and solvers (created once)."""

from __future__ import annotations

from sqlalchemy import select

from openchance.accounts.profile_schemas import HourlyRate, ProfileEdit
from openchance.accounts.schemas import UserCreate
from openchance.actor import Actor, Role
from openchance.models.accounts import User
from openchance.models.profiles import Availability
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


DEMO_PROFILES: dict[str, ProfileEdit] = {
    "challenger": ProfileEdit(
        headline="Research lead at Acme Research",
        bio="We fund **open** solutions to hard problems in materials science.",
        location="Lisbon, Portugal",
        organisation_name="Acme Research",
        organisation_website="https://acme-research.example",
        skills=["Materials Science", "Data Analysis"],
    ),
    "challenger2": ProfileEdit(
        headline="Programmes at Green Grid NGO",
        bio="Community energy projects: we post challenges on grid *resilience*.",
        location="Nairobi, Kenya",
        organisation_name="Green Grid NGO",
        organisation_website="https://greengrid.example",
        skills=["Energy", "Social Impact"],
    ),
    "solver": ProfileEdit(
        headline="Data scientist and Python developer",
        bio="Ten years of machine learning in production. I like messy data.",
        location="Berlin, Germany",
        links=["https://github.com/sofia-solver-demo"],
        skills=["Python", "Machine Learning", "PostgreSQL"],
        hourly_rate=HourlyRate(amount_minor=8500, currency="EUR"),
        availability=Availability.AVAILABLE,
    ),
    "solver2": ProfileEdit(
        headline="Hardware and embedded engineer",
        bio="PCB design, firmware and test rigs.",
        location="Osaka, Japan",
        skills=["Embedded", "C", "PCB Design"],
        hourly_rate=HourlyRate(amount_minor=9000, currency="JPY"),
        availability=Availability.LIMITED,
    ),
}


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
        user = await oc.users.create_user(
            system,
            UserCreate(email=email, password=DEMO_PASSWORD, display_name=name, role=role),
        )
        profile = DEMO_PROFILES.get(local_part)
        if profile is not None:
            await oc.profiles.update_my_profile(Actor.user(user.id, {role}), profile)
        created += 1
    return f"{len(DEMO_ACCOUNTS)} accounts ({created} new), password {DEMO_PASSWORD}"
