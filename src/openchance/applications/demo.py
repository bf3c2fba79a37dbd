"""The demo marketplace's applications: made through the application use cases while the
challenges are seeded (``openchance.challenges.demo`` calls :func:`seed_applications` for
each published challenge, before settling it).

Every challenge that is in progress, in review or completed gets an accepted application
(the acceptance is what moves it to in progress); a few open ones get applications in
every other state: submitted, shortlisted, rejected with a note, withdrawn. Competing
applications on an accepted challenge are rejected automatically by the acceptance.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from openchance.actor import Actor
from openchance.applications.schemas import ApplicationCreate, ApplicationDecision, BidInput
from openchance.challenges.demo_data.model import DemoChallenge
from openchance.models.applications import ApplicationStatus
from openchance.models.challenges import ChallengeStatus, RewardKind
from openchance.platform import OpenChance

S = ApplicationStatus

AFTER_ACCEPTANCE = frozenset(
    {ChallengeStatus.IN_PROGRESS, ChallengeStatus.IN_REVIEW, ChallengeStatus.COMPLETED}
)
"""Challenge states reached through an accepted application."""


@dataclass(frozen=True, slots=True)
class DemoApplication:
    solver: str
    """Local part of the demo account that applies (``solver``, ``solver2``)."""
    status: ApplicationStatus
    share: float = 0.9
    """The bid: this share of a fixed or milestone reward, or of the way up a range."""
    days: int = 14
    note: str = ""
    """What the decision (or the withdrawal) says."""


PROPOSALS = {
    "solver": (
        "I have done this kind of work for ten years, mostly in Python.\n\n"
        "**Plan**\n\n1. A short call to agree on the data and the acceptance criteria.\n"
        "2. A first version within the first third of the time, for your feedback.\n"
        "3. The final delivery with documentation and a walkthrough."
    ),
    "solver2": (
        "Hello! I work on embedded systems and data pipelines, and I read your brief twice.\n\n"
        "I would start with a **small prototype** to test the riskiest assumption, then "
        "iterate weekly with you. Happy to adjust the scope."
    ),
}
LINKS = {
    "solver": ("https://github.com/sofia-solver", "https://sofia-solver.example/portfolio"),
    "solver2": ("https://satoshi-solver.example",),
}

DEMO_APPLICATIONS: dict[str, tuple[DemoApplication, ...]] = {
    "Migrate a legacy PHP inventory system to Django": (
        DemoApplication("solver", S.SUBMITTED, share=0.4, days=40),
        DemoApplication("solver2", S.SHORTLISTED, share=0.7, days=30, note="Strong plan."),
    ),
    "Open-source Python client for our materials database API": (
        DemoApplication("solver", S.SHORTLISTED, days=21),
        DemoApplication("solver2", S.WITHDRAWN, note="I took on another project, sorry!"),
    ),
    "Machine learning model for detecting hairline cracks in ceramic tiles": (
        DemoApplication("solver", S.SUBMITTED, share=0.5, days=45),
    ),
    "Redesign the onboarding flow of our lab booking app": (
        DemoApplication(
            "solver2",
            S.REJECTED,
            share=0.2,
            note="Thank you! We are looking for someone with more UX research experience.",
        ),
    ),
    "Machine learning model for classifying crop diseases from smartphone photos": (
        DemoApplication("solver2", S.SUBMITTED, share=0.8, days=25),
    ),
    "Accessibility audit and fixes for a React donation portal": (
        DemoApplication("solver2", S.SUBMITTED, share=0.95),
        DemoApplication("solver", S.ACCEPTED, share=0.85, note="Welcome aboard!"),
    ),
}


def plans_for(entry: DemoChallenge, index: int) -> tuple[DemoApplication, ...]:
    """The applications of ``entry`` (the ``index``-th demo challenge): listed ones, else
    one accepted application for a challenge past acceptance, by an invited solver for a
    private challenge and by the two demo solvers in turn otherwise."""
    if entry.title in DEMO_APPLICATIONS:
        return DEMO_APPLICATIONS[entry.title]
    if entry.status not in AFTER_ACCEPTANCE:
        return ()
    solver = entry.invitees[0] if entry.invitees else ("solver", "solver2")[index % 2]
    return (DemoApplication(solver, S.ACCEPTED, share=0.9),)


async def seed_applications(
    oc: OpenChance,
    actor: Callable[[str], Actor],
    owner: Actor,
    entry: DemoChallenge,
    index: int,
    challenge_id: uuid.UUID,
) -> None:
    """Apply to the open challenge ``challenge_id`` as planned and take each application to
    its state; acceptances come last, so they reject what is still waiting."""
    plans = plans_for(entry, index)
    made = []
    for plan in plans:
        application = await oc.applications.submit_application(
            actor(plan.solver), challenge_id, _application_input(entry, plan)
        )
        made.append((plan, application.id))
    for plan, application_id in sorted(made, key=lambda item: item[0].status is S.ACCEPTED):
        decision = ApplicationDecision(note=plan.note)
        match plan.status:
            case S.SHORTLISTED:
                await oc.applications.shortlist_application(owner, application_id, decision)
            case S.REJECTED:
                await oc.applications.reject_application(owner, application_id, decision)
            case S.WITHDRAWN:
                await oc.applications.withdraw_application(
                    actor(plan.solver), application_id, decision
                )
            case S.ACCEPTED:
                await oc.applications.accept_application(owner, application_id, decision)
            case S.SUBMITTED:
                pass


def _application_input(entry: DemoChallenge, plan: DemoApplication) -> ApplicationCreate:
    reward = entry.reward
    low = reward.min_minor if reward.kind is RewardKind.RANGE else 0
    amount = low + int((reward.max_minor - low) * plan.share) // 100 * 100
    return ApplicationCreate(
        accept_terms=True,
        proposal=PROPOSALS[plan.solver],
        bid=BidInput(currency=reward.currency, amount_minor=max(amount, low, 100)),
        estimated_days=plan.days,
        portfolio_links=list(LINKS[plan.solver]),
    )
