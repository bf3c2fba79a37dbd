"""A deterministic corpus of challenge search documents and a mix of realistic queries.

The same seed gives the same documents and queries, so every backend in a run (and runs on
different days) answers exactly the same questions.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from openchance.challenges.seed import SEEDED_CATEGORIES
from openchance.models.challenges import ChallengeStatus, Difficulty, RewardKind, Visibility
from openchance.search.query import SearchDocument, SearchQuery, SearchSort

SUBJECTS = (
    "machine learning",
    "demand forecasting",
    "image classification",
    "churn prediction",
    "route optimisation",
    "mobile app",
    "web dashboard",
    "payment integration",
    "brand identity",
    "landing page",
    "user research",
    "technical writing",
    "grant proposal",
    "market analysis",
    "supply chain",
    "sensor firmware",
    "drone navigation",
    "water quality",
    "solar microgrid",
    "recycling logistics",
    "literacy programme",
    "clinic scheduling",
    "fraud detection",
    "recommendation engine",
    "speech recognition",
    "data pipeline",
    "search relevance",
    "accessibility audit",
    "design system",
    "video editing",
    "podcast production",
    "pricing strategy",
    "investor deck",
    "carbon accounting",
    "battery management",
    "robot gripper",
    "3d printed enclosure",
    "translation memory",
    "chatbot",
    "crop yield",
)
ACTIONS = (
    "Build",
    "Design",
    "Improve",
    "Prototype",
    "Evaluate",
    "Automate",
    "Redesign",
    "Audit",
    "Scale",
    "Document",
    "Optimise",
    "Launch",
)
CONTEXTS = (
    "for a regional bakery chain",
    "for a nonprofit food bank",
    "for a logistics start-up",
    "for a city council",
    "for an online bookshop",
    "for a rural health clinic",
    "for a fintech team",
    "for an energy co-operative",
    "for a university lab",
    "for a museum",
    "for a farming co-operative",
    "for a climbing gym",
)
FILLER_TEXT = (
    "We need a clear plan, working code and a short report. The data is anonymised and the team "
    "is available for questions twice a week. Deliverables include documentation, tests and a "
    "handover session. Quality matters more than speed; communicate early when blocked."
)
SKILLS = (
    "python",
    "sql",
    "pytorch",
    "scikit-learn",
    "pandas",
    "react",
    "typescript",
    "django",
    "fastapi",
    "figma",
    "illustration",
    "copywriting",
    "seo",
    "statistics",
    "forecasting",
    "computer-vision",
    "nlp",
    "embedded-c",
    "kicad",
    "rust",
    "go",
    "kubernetes",
    "aws",
    "data-visualisation",
    "ux-research",
    "excel",
    "financial-modelling",
    "arduino",
    "cad",
    "project-management",
    "grant-writing",
    "translation",
    "video",
    "audio",
    "swift",
    "kotlin",
)
CURRENCIES = ("EUR", "EUR", "EUR", "USD", "USD", "GBP")
TYPOS = {
    "learning": "lerning",
    "forecasting": "forcasting",
    "classification": "clasification",
    "prediction": "predicton",
    "optimisation": "optimsation",
    "dashboard": "dashbord",
    "integration": "integraton",
    "research": "reserch",
    "detection": "detecton",
    "recognition": "recogniton",
    "pipeline": "pipline",
    "strategy": "stratgy",
}
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def documents(count: int, *, seed: int = 7) -> Iterator[SearchDocument]:
    rng = random.Random(seed)
    filler = FILLER_TEXT.replace(",", "").replace(".", "").replace(";", "").split()
    categories = [category.slug for category in SEEDED_CATEGORIES]
    statuses = [ChallengeStatus.OPEN] * 6 + [
        ChallengeStatus.IN_PROGRESS,
        ChallengeStatus.COMPLETED,
        ChallengeStatus.EXPIRED,
    ]
    for n in range(count):
        subject = rng.choice(SUBJECTS)
        title = f"{rng.choice(ACTIONS)} {subject} {rng.choice(CONTEXTS)}"
        reward_min = rng.randrange(50, 20_000) * 100
        kind = rng.choice(list(RewardKind))
        reward_max = reward_min * rng.choice((1, 2, 3)) if kind is RewardKind.RANGE else reward_min
        published = EPOCH + timedelta(minutes=n)
        private = rng.random() < 0.05
        yield SearchDocument(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            title=title,
            summary=f"{subject.capitalize()} {' '.join(rng.sample(filler, 12))}.",
            description=" ".join(rng.choices(filler, k=80)) + f" {subject}.",
            skills=sorted(set(rng.sample(SKILLS, rng.randint(2, 5)))),
            category=rng.choice(categories),
            difficulty=rng.choice(list(Difficulty)),
            status=rng.choice(statuses),
            visibility=Visibility.PRIVATE if private else Visibility.PUBLIC,
            viewer_ids=[uuid.UUID(int=rng.getrandbits(128), version=4)] if private else [],
            reward_kind=kind,
            reward_currency=rng.choice(CURRENCIES),
            reward_min_minor=reward_min,
            reward_max_minor=reward_max,
            deadline=published + timedelta(days=rng.randint(7, 180)),
            published_at=published,
        )


def _text(rng: random.Random) -> str:
    words = rng.choice(SUBJECTS).split()
    if rng.random() < 0.3:  # a typo in one word
        words = [TYPOS.get(word, word) for word in words]
    if rng.random() < 0.3:  # still typing: the last word is a prefix
        words[-1] = words[-1][: max(3, len(words[-1]) - 3)]
    return " ".join(words)


def queries(count: int, *, seed: int = 11) -> list[SearchQuery]:
    """Text, two filters and a sort each; facets come with every answer."""
    rng = random.Random(seed)
    categories = [category.slug for category in SEEDED_CATEGORIES]
    mix: list[SearchQuery] = []
    for _ in range(count):
        filters: dict[str, object] = {}
        for kind in rng.sample(("category", "difficulty", "reward", "deadline", "skills"), 2):
            if kind == "category":
                filters["category"] = [rng.choice(categories)]
            elif kind == "difficulty":
                filters["difficulty"] = rng.sample(list(Difficulty), 2)
            elif kind == "reward":
                low = rng.randrange(0, 10_000) * 100
                filters |= {"currency": "EUR", "reward_min": low, "reward_max": low * 3 + 100}
            elif kind == "deadline":
                filters["deadline_after"] = EPOCH + timedelta(days=rng.randint(10, 60))
            else:
                filters["skills"] = [rng.choice(SKILLS)]
        mix.append(
            SearchQuery.model_validate(
                {"q": _text(rng), "sort": rng.choice(list(SearchSort)), "limit": 20, **filters}
            )
        )
    return mix
