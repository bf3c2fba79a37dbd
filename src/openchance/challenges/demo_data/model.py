"""The shape of a demo challenge: plain frozen values, so the content modules read like a
catalogue and the seed step (``openchance.challenges.demo``) decides how to store them.

Times are relative to the moment of seeding (``deadline_in``, ``posted_ago``, a milestone's
``due_in``), so a demo seeded today has deadlines days to weeks ahead, and a few a couple of
minutes ahead, to watch a challenge expire on its own.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import timedelta

from openchance.models.challenges import (
    CancelReason,
    ChallengeStatus,
    Difficulty,
    IPTerms,
    RewardKind,
    Visibility,
)


@dataclass(frozen=True, slots=True)
class DemoMilestone:
    title: str
    description: str
    amount_minor: int
    due_in: timedelta


@dataclass(frozen=True, slots=True)
class DemoReward:
    kind: RewardKind
    currency: str
    min_minor: int
    max_minor: int
    milestones: tuple[DemoMilestone, ...] = ()


@dataclass(frozen=True, slots=True)
class DemoCancellation:
    reason: CancelReason
    note: str
    by: str
    """The demo account (local part) that cancelled: the challenger, or a moderator."""


@dataclass(frozen=True, slots=True)
class DemoChallenge:
    owner: str
    """Local part of the demo account that posts it (``challenger``, ``challenger2``)."""
    title: str
    summary: str
    description: str
    category: str
    """A seeded category slug (``openchance.challenges.seed``)."""
    difficulty: Difficulty
    skills: tuple[str, ...]
    reward: DemoReward
    deadline_in: timedelta
    """From the moment of seeding; negative for a challenge whose deadline has passed."""
    status: ChallengeStatus = ChallengeStatus.OPEN
    posted_ago: timedelta = timedelta(days=2)
    visibility: Visibility = Visibility.PUBLIC
    invitees: tuple[str, ...] = ()
    """Demo accounts (local parts) invited to a private challenge."""
    winners: int = 1
    prize_split: tuple[int, ...] = (100,)
    ip_terms: IPTerms = IPTerms.NONE
    terms: str = ""
    cancellation: DemoCancellation | None = None
    review_note: str | None = None
    """For a draft a moderator sent back: the reason the challenger sees."""
    clarifications: tuple[str, ...] = ()


def fixed(currency: str, amount_minor: int) -> DemoReward:
    return DemoReward(RewardKind.FIXED, currency, amount_minor, amount_minor)


def ranged(currency: str, min_minor: int, max_minor: int) -> DemoReward:
    return DemoReward(RewardKind.RANGE, currency, min_minor, max_minor)


def milestones(currency: str, *steps: DemoMilestone) -> DemoReward:
    total = sum(step.amount_minor for step in steps)
    return DemoReward(RewardKind.MILESTONES, currency, total, total, steps)


def step(title: str, description: str, amount_minor: int, due_in_days: int) -> DemoMilestone:
    return DemoMilestone(title, description, amount_minor, timedelta(days=due_in_days))


def days(n: float) -> timedelta:
    return timedelta(days=n)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def md(text: str) -> str:
    """Markdown written indented in the source, without the indentation."""
    return textwrap.dedent(text).strip() + "\n"
