"""The demo marketplace's challenges: seeded once, through the challenge use cases.

Each demo challenge (``openchance.challenges.demo_data``) is created as a draft by its
challenger and taken to its state the way a real one gets there: submitted, approved by
the demo moderator, invitations sent, clarifications added, cancelled with its reason.
What the use cases cannot do yet is set on the row afterwards, in one unit of work that
also re-indexes the challenge:

- money: every challenge is funded on the local processor before it is submitted, as
  the default ``escrow_funding_deadline`` (``before_publish``) wants
  (``openchance.payments.demo``); a challenge in review has its winner's first milestone
  delivered, a completed one every milestone delivered and approved (released), a
  cancelled one is refunded, an expired one is refunded by the expiry's job once a
  worker runs, and the last one in review is disputed by its challenger (``in_progress``
  itself comes from an accepted application, made through the application use cases by
  ``openchance.applications.demo``);
- an expired challenge needs a deadline in the past, which no use case accepts; its
  deadline is moved back and the real expiry (``expire_if_due``) expires it;
- posting dates are spread over the past weeks, so "newest first" looks lived in.

With pre-publish review off (``challenge_review_required``), the challenges meant for the
moderation queue open when submitted, as any challenge would, and no draft is sent back.

The step is idempotent like the accounts step: a demo challenge whose challenger already
has a challenge of that title is skipped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from openchance.accounts.demo import DEMO_ACCOUNTS, demo_email
from openchance.actor import Actor
from openchance.applications.demo import seed_applications
from openchance.challenges.demo_data import DEMO_CHALLENGES, DemoChallenge, DemoReward
from openchance.challenges.expiry import expire_if_due
from openchance.challenges.invite_schemas import InviteCreate
from openchance.challenges.repository import load_challenge
from openchance.challenges.rewards import (
    FixedRewardInput,
    MilestoneInput,
    MilestonesRewardInput,
    RangeRewardInput,
    RewardInput,
)
from openchance.challenges.schemas import (
    ChallengeCancellation,
    ChallengeCreate,
    ChallengeRejection,
    ClarificationCreate,
)
from openchance.challenges.transitions import complete, deliver
from openchance.db.types import utcnow
from openchance.errors import ConfigurationError
from openchance.models.accounts import User
from openchance.models.challenges import Challenge, ChallengeStatus, RewardKind
from openchance.payments.demo import deliver_demo_work, fund_demo_challenge, open_demo_dispute
from openchance.platform import OpenChance
from openchance.search.sync import schedule_index

PLACEHOLDER_DEADLINE = timedelta(days=1)
"""The deadline an expired demo challenge is published with, before it is moved back."""

DISPUTED_INDEX = max(
    index for index, entry in enumerate(DEMO_CHALLENGES)
    if entry.status is ChallengeStatus.IN_REVIEW
)  # fmt: skip
"""The demo challenge whose delivery its challenger disputes (the support queue's case)."""

AFTER_APPLICATION = frozenset(
    {ChallengeStatus.IN_PROGRESS, ChallengeStatus.IN_REVIEW, ChallengeStatus.COMPLETED}
)
"""States reached only through an accepted application."""


@dataclass(frozen=True, slots=True)
class _Accounts:
    actors: dict[str, Actor]

    def actor(self, local_part: str) -> Actor:
        return self.actors[local_part]

    def user_id(self, local_part: str) -> uuid.UUID:
        user_id = self.actors[local_part].user_id
        assert user_id is not None
        return user_id


async def seed_demo_challenges(oc: OpenChance) -> str:
    """Create the demo challenges that do not exist yet; safe to run on every start."""
    accounts = await _demo_accounts(oc)
    existing = await _existing_titles(oc, accounts)
    created = 0
    for index, entry in enumerate(DEMO_CHALLENGES):
        if (accounts.user_id(entry.owner), entry.title) in existing:
            continue
        await _seed_one(oc, accounts, entry, index, now=utcnow())
        created += 1
    return f"{len(DEMO_CHALLENGES)} challenges ({created} new)"


def challenge_input(entry: DemoChallenge, *, now: datetime) -> ChallengeCreate:
    """What the challenger types for ``entry``, with times counted from ``now``.

    A challenge whose deadline has passed is created with :data:`PLACEHOLDER_DEADLINE`
    (no use case takes a past deadline); the seed step moves it back afterwards.
    """
    ahead = entry.deadline_in if entry.deadline_in > timedelta(0) else PLACEHOLDER_DEADLINE
    return ChallengeCreate(
        title=entry.title,
        summary=entry.summary,
        description=entry.description,
        category=entry.category,
        difficulty=entry.difficulty,
        skills=list(entry.skills),
        reward=_reward_input(entry.reward, now=now),
        winners=entry.winners,
        prize_split=list(entry.prize_split),
        deadline=now + ahead,
        visibility=entry.visibility,
        ip_terms=entry.ip_terms,
        terms=entry.terms,
    )


def _reward_input(reward: DemoReward, *, now: datetime) -> RewardInput:
    match reward.kind:
        case RewardKind.FIXED:
            return FixedRewardInput(
                kind="fixed", currency=reward.currency, amount_minor=reward.min_minor
            )
        case RewardKind.RANGE:
            return RangeRewardInput(
                kind="range",
                currency=reward.currency,
                min_minor=reward.min_minor,
                max_minor=reward.max_minor,
            )
        case RewardKind.MILESTONES:
            return MilestonesRewardInput(
                kind="milestones",
                currency=reward.currency,
                milestones=[
                    MilestoneInput(
                        title=step.title,
                        description=step.description,
                        amount_minor=step.amount_minor,
                        due_at=now + step.due_in,
                    )
                    for step in reward.milestones
                ],
                total_minor=reward.min_minor,
            )


async def _demo_accounts(oc: OpenChance) -> _Accounts:
    emails = {demo_email(local_part): (local_part, role) for local_part, _, role in DEMO_ACCOUNTS}
    async with oc.unit_of_work(read_only=True) as uow:
        rows = (
            await uow.session.execute(select(User.id, User.email).where(User.email.in_(emails)))
        ).all()
    actors: dict[str, Actor] = {}
    for user_id, email in rows:
        local_part, role = emails[email]
        actors[local_part] = Actor.user(user_id, {role})
    missing = {local_part for local_part, _ in emails.values()} - set(actors)
    if missing:
        raise ConfigurationError(
            f"the demo accounts {sorted(missing)} are missing: seed the accounts first",
            code="demo_accounts_missing",
        )
    return _Accounts(actors)


async def _existing_titles(oc: OpenChance, accounts: _Accounts) -> set[tuple[uuid.UUID, str]]:
    owners = {accounts.user_id(entry.owner) for entry in DEMO_CHALLENGES}
    async with oc.unit_of_work(read_only=True) as uow:
        rows = await uow.session.execute(
            select(Challenge.owner_id, Challenge.title).where(Challenge.owner_id.in_(owners))
        )
        return {(owner_id, title) for owner_id, title in rows.all()}


async def _seed_one(
    oc: OpenChance, accounts: _Accounts, entry: DemoChallenge, index: int, *, now: datetime
) -> None:
    owner = accounts.actor(entry.owner)
    moderator = accounts.actor("moderator")
    challenge = await oc.challenges.create_challenge(owner, challenge_input(entry, now=now))
    challenge_id = challenge.id
    if entry.status is ChallengeStatus.DRAFT:
        if entry.review_note is not None and oc.settings.challenge_review_required:
            await _fund(oc, owner, entry, challenge_id)
            await oc.challenges.submit_challenge(owner, challenge_id)
            await oc.challenges.reject_challenge(
                moderator, challenge_id, ChallengeRejection(reason=entry.review_note)
            )
        await _settle(oc, entry, challenge_id, now=now)
        return
    await _fund(oc, owner, entry, challenge_id)
    submitted = await oc.challenges.submit_challenge(owner, challenge_id)
    if entry.status is ChallengeStatus.PENDING_REVIEW:
        await _settle(oc, entry, challenge_id, now=now)
        return
    if submitted.status is ChallengeStatus.PENDING_REVIEW:
        await oc.challenges.approve_challenge(moderator, challenge_id)
    for invitee in entry.invitees:
        await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(user_id=accounts.user_id(invitee))
        )
    for body in entry.clarifications:
        await oc.challenges.add_clarification(owner, challenge_id, ClarificationCreate(body=body))
    if entry.status is ChallengeStatus.OPEN or entry.status in AFTER_APPLICATION:
        await seed_applications(oc, accounts.actor, owner, entry, index, challenge_id)
    if entry.cancellation is not None:
        await oc.challenges.cancel_challenge(
            accounts.actor(entry.cancellation.by),
            challenge_id,
            ChallengeCancellation(reason=entry.cancellation.reason, note=entry.cancellation.note),
        )
        # What the cancellation's refund job does once a worker runs, done at once.
        await oc.refunds.refund_cancelled_challenge(challenge_id, attempt=1)
    if entry.status in (ChallengeStatus.IN_REVIEW, ChallengeStatus.COMPLETED):
        await deliver_demo_work(
            oc, owner, challenge_id, approve=entry.status is ChallengeStatus.COMPLETED
        )
    if index == DISPUTED_INDEX:
        await open_demo_dispute(oc, owner, challenge_id)
    await _settle(oc, entry, challenge_id, now=now)


async def _fund(
    oc: OpenChance, owner: Actor, entry: DemoChallenge, challenge_id: uuid.UUID
) -> None:
    """Pay the prize into escrow before submitting, as the default funding rule wants; a
    milestone challenge pays its first milestone, a completed one every milestone."""
    every = entry.status is ChallengeStatus.COMPLETED
    await fund_demo_challenge(oc, owner, challenge_id, fundings=None if every else 1)


async def _settle(
    oc: OpenChance, entry: DemoChallenge, challenge_id: uuid.UUID, *, now: datetime
) -> None:
    """Take the steps no use case offers yet (see the module docstring), and re-index."""
    async with oc.unit_of_work() as uow:
        challenge = await load_challenge(uow, challenge_id, for_update=True)
        if entry.status in AFTER_APPLICATION:
            # Delivered and approved through the milestone use cases above; a challenge
            # whose work could not be delivered that way takes the lifecycle steps directly.
            if challenge.status is ChallengeStatus.IN_PROGRESS and entry.status in (
                ChallengeStatus.IN_REVIEW, ChallengeStatus.COMPLETED,
            ):  # fmt: skip
                await deliver(uow, challenge)
            if (
                entry.status is ChallengeStatus.COMPLETED
                and challenge.status is ChallengeStatus.IN_REVIEW
            ):
                await complete(uow, challenge)
        # Spread the posting dates over the past weeks, so "newest first" looks lived in.
        posted = now - entry.posted_ago
        challenge.created_at = posted
        if challenge.submitted_at is not None:
            challenge.submitted_at = posted
        if challenge.published_at is not None:
            challenge.published_at = posted
        if entry.status in AFTER_APPLICATION:
            challenge.status_changed_at = now - entry.posted_ago / 3
        await uow.flush()
        if entry.status is ChallengeStatus.EXPIRED:
            # No use case takes a past deadline: move it back, then the real expiry runs.
            challenge.deadline = now + entry.deadline_in
            await uow.flush()
            await expire_if_due(uow, challenge_id, now=now)
        if challenge.published_at is not None:  # drafts and challenges in review are not indexed
            await schedule_index(uow, challenge_id)
