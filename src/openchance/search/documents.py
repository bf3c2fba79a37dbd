"""From challenge rows to search documents: what the index holds of a published challenge.

Drafts and challenges waiting for review have no document. A private challenge's document
names who may find it besides staff: its challenger and the solvers holding a pending
invitation (an invitation by e-mail counts once the address has signed up).
"""

from __future__ import annotations

import html
import uuid
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import select

from openchance.models.challenges import (
    Category,
    Challenge,
    ChallengeInvite,
    InviteStatus,
    Visibility,
)
from openchance.search.query import SEARCHABLE_STATUSES, SearchDocument

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

MAX_DESCRIPTION_CHARACTERS = 100_000
"""The indexed text of a description is cut here (a tsvector has a size limit)."""


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True})


def plain_text(markdown: str) -> str:
    """The words a reader sees in ``markdown``: no markup, no HTML tags, no scripts.

    >>> plain_text("We have **sales data** and <b>weather</b> records.")
    'We have sales data and weather records.'
    """
    rendered = _parser().render(markdown)
    text = html.unescape(_cleaner().clean(rendered))
    return " ".join(text.split())[:MAX_DESCRIPTION_CHARACTERS]


@cache
def _cleaner() -> nh3.Cleaner:
    """Keeps no tag: the text of each stays, scripts and styles go with their content."""
    return nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"}, attributes={})


def is_searchable(challenge: Challenge) -> bool:
    """Whether ``challenge`` belongs in the index (published, in a searchable status)."""
    return challenge.status in SEARCHABLE_STATUSES and challenge.published_at is not None


async def build_documents(uow: UnitOfWork, challenges: Sequence[Challenge]) -> list[SearchDocument]:
    """The documents of the searchable ones among ``challenges`` (two queries in all)."""
    searchable = [challenge for challenge in challenges if is_searchable(challenge)]
    if not searchable:
        return []
    category_ids = {challenge.category_id for challenge in searchable}
    rows = await uow.session.execute(
        select(Category.id, Category.slug).where(Category.id.in_(category_ids))
    )
    slugs = {category_id: slug for category_id, slug in rows}
    private = [c.id for c in searchable if c.visibility is Visibility.PRIVATE]
    invitees: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if private:
        invites = await uow.session.execute(
            select(ChallengeInvite.challenge_id, ChallengeInvite.user_id)
            .where(
                ChallengeInvite.challenge_id.in_(private),
                ChallengeInvite.status == InviteStatus.PENDING,
                ChallengeInvite.user_id.is_not(None),
            )
            .order_by(ChallengeInvite.challenge_id, ChallengeInvite.user_id)
        )
        for challenge_id, user_id in invites:
            if user_id is not None:
                invitees[challenge_id].append(user_id)
    return [_document(c, slugs[c.category_id], invitees.get(c.id, [])) for c in searchable]


async def build_document(uow: UnitOfWork, challenge: Challenge) -> SearchDocument | None:
    """The document of ``challenge``, or None when it is not to be found by search."""
    documents = await build_documents(uow, [challenge])
    return documents[0] if documents else None


def _document(challenge: Challenge, category: str, invitees: list[uuid.UUID]) -> SearchDocument:
    assert challenge.published_at is not None
    viewers: list[uuid.UUID] = []
    if challenge.visibility is Visibility.PRIVATE:
        viewers = list(dict.fromkeys([challenge.owner_id, *invitees]))
    return SearchDocument(
        id=challenge.id,
        title=challenge.title,
        summary=challenge.summary,
        description=plain_text(challenge.description),
        skills=list(challenge.skills),
        category=category,
        difficulty=challenge.difficulty,
        status=challenge.status,
        visibility=challenge.visibility,
        viewer_ids=viewers,
        reward_kind=challenge.reward_kind,
        reward_currency=challenge.reward_currency,
        reward_min_minor=challenge.reward_min_minor,
        reward_max_minor=challenge.reward_max_minor,
        deadline=challenge.deadline,
        published_at=challenge.published_at,
    )
