"""The categories a new installation starts with; ids derive from the slug, so they are the
same on every installation (the migration inserts them, the demo refers to them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

_NAMESPACE = uuid.UUID("6f1c7a52-3d2e-4c8e-9d7b-0c4f6a1e2b90")


@dataclass(frozen=True, slots=True)
class SeededCategory:
    slug: str
    name: str

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, self.slug)


SEEDED_CATEGORIES: tuple[SeededCategory, ...] = (
    SeededCategory("software-development", "Software development"),
    SeededCategory("data-science-ai", "Data science & AI"),
    SeededCategory("design", "Design"),
    SeededCategory("writing-content", "Writing & content"),
    SeededCategory("research-science", "Research & science"),
    SeededCategory("hardware-engineering", "Hardware & engineering"),
    SeededCategory("business-strategy", "Business & strategy"),
    SeededCategory("social-impact", "Social impact"),
)
