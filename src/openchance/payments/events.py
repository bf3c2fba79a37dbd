"""What happens to money, as past-tense facts (recorded with the change, announced after
the commit)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from openchance.events import DomainEvent


class EscrowFunded(DomainEvent):
    """A payment went into a challenge's escrow (the prize, or one milestone)."""

    name: ClassVar[str] = "escrow.funded"
    challenge_id: uuid.UUID
    owner_id: uuid.UUID
    funding_id: uuid.UUID
    milestone_position: int | None
    prize_minor: int
    currency: str
