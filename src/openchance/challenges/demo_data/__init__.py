"""What the demo marketplace offers: about 65 challenges across every category, difficulty,
reward kind and state, some private (pure data; ``openchance.challenges.demo`` seeds it)."""

from __future__ import annotations

from openchance.challenges.demo_data.creative import CREATIVE_CHALLENGES
from openchance.challenges.demo_data.model import (
    DemoCancellation,
    DemoChallenge,
    DemoMilestone,
    DemoReward,
)
from openchance.challenges.demo_data.organisations import ORGANISATION_CHALLENGES
from openchance.challenges.demo_data.science import SCIENCE_CHALLENGES
from openchance.challenges.demo_data.tech import TECH_CHALLENGES

DEMO_CHALLENGES: tuple[DemoChallenge, ...] = (
    TECH_CHALLENGES + CREATIVE_CHALLENGES + SCIENCE_CHALLENGES + ORGANISATION_CHALLENGES
)

__all__ = [
    "DEMO_CHALLENGES",
    "DemoCancellation",
    "DemoChallenge",
    "DemoMilestone",
    "DemoReward",
]
