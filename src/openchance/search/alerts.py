"""Saved-search alerts: jobs that tell users about newly opened challenges they would find.

When a challenge opens, :func:`schedule_alerts` (called by the challenge use case that
publishes it, in its unit of work) enqueues ``search.match_saved_searches``: the instant
saved searches it matches notify their owners at once. Once a day,
``search.daily_saved_search_digest`` does the same for daily saved searches, over the
challenges published since each one last ran.

Matching goes through the search service's database backend, so a saved search means
exactly what the same search means (typo tolerance, every filter). Visibility is checked
twice: by the search (the viewer) and by the challenge policy, so a private challenge only
ever alerts its invitees and staff. Its challenger is never alerted about their own.

A user is alerted once per challenge (``dedupe_key`` ``challenge:<id>``), however many of
their saved searches match and however often a job runs. Opening a private challenge
also announces its pending invitations, deferred until it could be opened.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select

from openchance.actor import Actor, Role
from openchance.challenges.invites import is_published, notify_pending_invitees
from openchance.challenges.policy import can_view
from openchance.challenges.repository import pending_invitee_ids
from openchance.db.types import utcnow
from openchance.jobs import JobContext, JobRegistry, JobType, Schedule
from openchance.models.accounts import User, UserStatus
from openchance.models.challenges import Challenge
from openchance.models.saved_searches import AlertFrequency, SavedSearch
from openchance.notifications.feed import notify
from openchance.search.query import SEARCHABLE_STATUSES, SearchFilters, SearchViewer
from openchance.search.saved import saved_filters

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

logger = logging.getLogger(__name__)

MATCHED_KIND = "challenge.matched_saved_search"
DIGEST_LOOKBACK = timedelta(hours=1)
"""The daily digest also looks this far before its last run: a challenge stamped published
just before a run but committed just after it is still caught (the dedupe key makes the
overlap harmless)."""
MAX_DIGEST_CANDIDATES = 5_000
"""The most recently published challenges one daily saved search considers per run."""


class MatchSavedSearches(BaseModel):
    challenge_id: uuid.UUID


class DailySavedSearchDigest(BaseModel):
    """No parameters: the run's start time decides the window."""


MATCH_SAVED_SEARCHES = JobType("search.match_saved_searches", MatchSavedSearches, max_attempts=10)
"""Alert the owners of the instant saved searches a newly opened challenge matches."""
DAILY_SAVED_SEARCH_DIGEST = JobType(
    "search.daily_saved_search_digest", DailySavedSearchDigest, max_attempts=5
)
"""Alert the owners of daily saved searches of the challenges opened since the last run."""
DAILY_DIGEST_SCHEDULE = Schedule(
    "search.daily_saved_search_digest",
    DAILY_SAVED_SEARCH_DIGEST,
    DailySavedSearchDigest(),
    cron="0 7 * * *",
)
"""Every day at 07:00 UTC."""


async def schedule_alerts(uow: UnitOfWork, challenge_id: uuid.UUID) -> None:
    """Alert the saved searches ``challenge_id`` matches, once this unit of work commits.

    Call it where a challenge opens (published straight away, or approved). Enqueued once
    per challenge; the job reads the challenge as it is when it runs.
    """
    await uow.enqueue(
        MATCH_SAVED_SEARCHES,
        MatchSavedSearches(challenge_id=challenge_id),
        idempotency_key=f"saved_search_alerts:{challenge_id}",
    )


class _Subscriber(BaseModel):
    """A saved search with what visibility needs to know about its owner."""

    saved_search_id: uuid.UUID
    name: str
    user_id: uuid.UUID
    role: Role
    filters: SearchFilters
    since: datetime = Field(description="The last run, or else when the search was saved.")

    @property
    def actor(self) -> Actor:
        return Actor.user(self.user_id, {self.role})

    @property
    def viewer(self) -> SearchViewer:
        return SearchViewer(user_id=self.user_id, is_staff=self.actor.is_staff)


async def match_saved_searches(context: JobContext, payload: MatchSavedSearches) -> None:
    platform = context.platform
    async with context.unit_of_work(read_only=True) as uow:
        challenge = await uow.session.get(Challenge, payload.challenge_id)
        if challenge is None or not is_published(challenge):
            return
        subscribers = await _subscribers(uow, AlertFrequency.INSTANT)
    matcher = _Matcher(platform)
    alerts: dict[uuid.UUID, _Subscriber] = {}
    for subscriber in subscribers:
        if subscriber.user_id in alerts or subscriber.user_id == challenge.owner_id:
            continue  # one alert per user: no need to ask about their other searches
        if challenge.id in await matcher.matching(subscriber, [challenge.id]):
            alerts[subscriber.user_id] = subscriber
    async with context.unit_of_work() as uow:
        challenge = await uow.session.get(Challenge, payload.challenge_id)
        if challenge is None or not is_published(challenge):
            return
        invited = await notify_pending_invitees(uow, challenge)
        added = 0
        for subscriber in alerts.values():
            added += await _alert(uow, subscriber, challenge)
    logger.info(
        "saved-search alerts for a new challenge",
        extra={"challenge_id": str(payload.challenge_id), "alerts": added, "invites": invited},
    )


async def send_daily_digest(context: JobContext, payload: DailySavedSearchDigest) -> None:
    """For each daily saved search, alert the matches published since its last run; then
    move its ``last_run_at`` to this run's start. One transaction per saved search, so a
    failure part-way keeps what was done (and a retry alerts nobody twice)."""
    del payload
    platform = context.platform
    run_start = utcnow()
    async with context.unit_of_work(read_only=True) as uow:
        subscribers = await _subscribers(uow, AlertFrequency.DAILY)
    matcher = _Matcher(platform)
    total = 0
    for subscriber in subscribers:
        if subscriber.since < run_start:
            since = subscriber.since - DIGEST_LOOKBACK
            total += await _digest_one(platform, matcher, subscriber, since, run_start)
    logger.info("daily saved-search digest", extra={"searches": len(subscribers), "alerts": total})


async def _digest_one(
    platform: OpenChance,
    matcher: _Matcher,
    subscriber: _Subscriber,
    since: datetime,
    until: datetime,
) -> int:
    async with platform.unit_of_work(read_only=True) as uow:
        candidates = list(
            await uow.session.scalars(
                select(Challenge.id)
                .where(
                    Challenge.published_at > since,
                    Challenge.published_at <= until,
                    Challenge.status.in_(SEARCHABLE_STATUSES),
                    Challenge.owner_id != subscriber.user_id,
                )
                .order_by(Challenge.published_at.desc())
                .limit(MAX_DIGEST_CANDIDATES)
            )
        )
    matched = await matcher.matching(subscriber, candidates) if candidates else set()
    added = 0
    async with platform.unit_of_work() as uow:
        saved = await uow.session.get(SavedSearch, subscriber.saved_search_id, with_for_update=True)
        if saved is None:
            return 0  # deleted meanwhile
        if matched:
            challenges = await uow.session.scalars(
                select(Challenge)
                .where(Challenge.id.in_(matched))
                .order_by(Challenge.published_at, Challenge.id)
            )
            for challenge in challenges:
                added += await _alert(uow, subscriber, challenge)
        saved.last_run_at = until
    return added


async def _subscribers(uow: UnitOfWork, frequency: AlertFrequency) -> list[_Subscriber]:
    """Saved searches of active users with this frequency, oldest first."""
    statement = (
        select(SavedSearch, User.role)
        .join(User, User.id == SavedSearch.user_id)
        .where(SavedSearch.frequency == frequency, User.status == UserStatus.ACTIVE)
        .order_by(SavedSearch.created_at, SavedSearch.id)
    )
    subscribers = []
    for saved, role in await uow.session.execute(statement):
        try:
            filters = saved_filters(saved)
        except ValidationError:
            logger.warning("saved search %s no longer validates: skipped", saved.id)
            continue
        subscribers.append(
            _Subscriber(
                saved_search_id=saved.id,
                name=saved.name,
                user_id=saved.user_id,
                role=role,
                filters=filters,
                since=saved.last_run_at or saved.created_at,
            )
        )
    return subscribers


class _Matcher:
    """Asks the search service which candidates a saved search matches, indexing each
    candidate (as it is now) once per job run rather than once per saved search."""

    def __init__(self, platform: OpenChance) -> None:
        self._search = platform.search
        self._fresh: set[uuid.UUID] = set()

    async def matching(
        self, subscriber: _Subscriber, candidate_ids: Sequence[uuid.UUID]
    ) -> set[uuid.UUID]:
        stale = [challenge_id for challenge_id in candidate_ids if challenge_id not in self._fresh]
        if stale:
            await self._search.index_challenges(stale)
            self._fresh.update(stale)
        return await self._search.matching_ids(
            subscriber.filters, subscriber.viewer, candidate_ids, refresh=False
        )


async def _alert(uow: UnitOfWork, subscriber: _Subscriber, challenge: Challenge) -> bool:
    """Notify the subscriber of ``challenge`` (once ever), if they may see it: the search
    checked that too, but the policy is the rule, and an invitation may have been revoked
    since the search answered."""
    if subscriber.user_id == challenge.owner_id:
        return False
    invited = subscriber.user_id in await pending_invitee_ids(uow, challenge.id)
    if not can_view(subscriber.actor, challenge, invited=invited):
        return False
    return await notify(
        uow,
        user_id=subscriber.user_id,
        kind=MATCHED_KIND,
        title=f"New challenge for your search “{subscriber.name}”: {challenge.title}",
        body=challenge.summary,
        dedupe_key=f"challenge:{challenge.id}",
        data={
            "challenge_id": str(challenge.id),
            "saved_search_id": str(subscriber.saved_search_id),
            "saved_search_name": subscriber.name,
        },
    )


def register(registry: JobRegistry) -> None:
    registry.add_handler(MATCH_SAVED_SEARCHES, match_saved_searches)
    registry.add_handler(DAILY_SAVED_SEARCH_DIGEST, send_daily_digest)
    registry.add_schedule(DAILY_DIGEST_SCHEDULE)
